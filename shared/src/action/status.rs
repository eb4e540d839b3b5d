//! `helm status`: the release's objects as the cluster has them now, kept
//! in the record's `info.resources` (grouped by `VERSION/Kind`, with the
//! pods of workloads under `v1/Pod(related)`), and printed as the
//! `RESOURCES:` section of the status block.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::kube::Kube;
use crate::kube::resources::ResourceError;
use crate::release::Release;

/// The key of the pods listed for workloads.
const RELATED_PODS: &str = "v1/Pod(related)";

/// The objects of `release`'s manifest as the cluster returns them, with
/// the pods their selectors match; objects that cannot be read are left
/// out, as Helm leaves them.
pub async fn live_resources(
    kube: &Kube,
    release: &Release,
) -> Result<Map<String, Value>, ResourceError> {
    let objects = kube.build(&release.manifest, &release.namespace).await?;
    let mut groups: Map<String, Value> = Map::new();
    let mut selectors: Vec<Map<String, Value>> = Vec::new();
    let push = |groups: &mut Map<String, Value>, key: String, object: Value| {
        if let Value::Array(list) = groups
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(object);
        }
    };
    for object in &objects {
        let Ok(live) = kube
            .get(&object.resource, &object.namespace, &object.name)
            .await
        else {
            continue;
        };
        let key = format!("{}/{}", object.resource.version, object.resource.kind);
        let selector = match_labels(&live);
        push(&mut groups, key, live);
        let Some(selector) = selector else { continue };
        if selectors.contains(&selector) {
            continue;
        }
        let query = selector
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(",");
        selectors.push(selector);
        let pods = kube.resource("v1", "Pod").await?;
        // Helm only logs a failure to list the related pods.
        if let Ok(list) = kube.list_object(&pods, &object.namespace, &query).await {
            push(&mut groups, RELATED_PODS.to_string(), list);
        }
    }
    Ok(groups)
}

/// The labels a workload selects its pods by: `spec.selector.matchLabels`
/// of the apps kinds and Jobs, `spec.selector` of a ReplicationController.
fn match_labels(object: &Value) -> Option<Map<String, Value>> {
    let selector = match object["kind"].as_str()? {
        "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
            &object["spec"]["selector"]["matchLabels"]
        }
        "ReplicationController" => &object["spec"]["selector"],
        _ => return None,
    };
    selector.as_object().cloned()
}

/// The `RESOURCES:` section for `resources` at time `now`: each group
/// under `==> KEY`, one `NAME   AGE` line per object, the heading once
/// (kubectl's default columns for objects the server gives no table for).
pub fn resources_section(resources: &Map<String, Value>, now: DateTime<Utc>) -> String {
    let mut body = String::new();
    let mut heading = true;
    for (key, objects) in resources {
        let _ = writeln!(body, "==> {key}");
        // A list (the related pods) prints a row per item.
        let rows = objects.as_array().into_iter().flatten().flat_map(|o| {
            match o.get("items").and_then(Value::as_array) {
                Some(items) => items.iter().collect::<Vec<_>>(),
                None => vec![o],
            }
        });
        for object in rows {
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            let age = object["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or_else(
                    || "<unknown>".to_string(),
                    |t| human_duration(now.signed_duration_since(t)),
                );
            let rows = if heading {
                heading = false;
                vec![("NAME", "AGE".to_string()), (name, age)]
            } else {
                vec![(name, age)]
            };
            let width = rows
                .iter()
                .map(|(n, _)| n.chars().count())
                .max()
                .unwrap_or(0);
            for (name, age) in rows {
                let _ = writeln!(body, "{name:<width$}   {age}");
            }
        }
        body.push('\n');
    }
    format!("RESOURCES:\n{body}\n")
}

/// apimachinery's `HumanDuration`: the age kubectl shows (`6s`, `2m30s`,
/// `5h`, `3d4h`, `2y`).
pub fn human_duration(d: chrono::TimeDelta) -> String {
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", seconds % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return with_rest(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return with_rest(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

fn with_rest(big: i64, big_unit: &str, rest: i64, rest_unit: &str) -> String {
    if rest == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{rest}{rest_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ages_read_as_kubectl_prints_them() {
        let s = chrono::TimeDelta::seconds;
        let cases = [
            (-5, "<invalid>"),
            (-1, "0s"),
            (6, "6s"),
            (119, "119s"),
            (150, "2m30s"),
            (180, "3m"),
            (900, "15m"),
            (4 * 3600 + 60, "4h1m"),
            (20 * 3600, "20h"),
            (3 * 86400 + 4 * 3600, "3d4h"),
            (30 * 86400, "30d"),
            (3 * 365 * 86400, "3y"),
            (3 * 365 * 86400 + 86400, "3y1d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(s(secs)), want, "{secs}");
        }
    }

    #[test]
    fn the_section_has_one_heading_and_a_row_per_object() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T04:21:40Z")
            .unwrap()
            .with_timezone(&Utc);
        let object = |name: &str| json!({"metadata": {"name": name, "creationTimestamp": "2026-11-22T04:21:34Z"}});
        let mut resources = Map::new();
        resources.insert(
            "v1/ConfigMap".into(),
            json!([object("a-cm"), object("a-kept")]),
        );
        resources.insert(
            RELATED_PODS.into(),
            json!([{"kind": "PodList", "items": [{"metadata": {"name": "p"}}]}]),
        );
        assert_eq!(
            resources_section(&resources, now),
            "RESOURCES:\n==> v1/ConfigMap\nNAME   AGE\na-cm   6s\na-kept   6s\n\n\
             ==> v1/Pod(related)\np   <unknown>\n\n\n"
        );
        assert_eq!(
            match_labels(
                &json!({"kind": "Deployment", "spec": {"selector": {"matchLabels": {"a": "b"}}}})
            ),
            json!({"a": "b"}).as_object().cloned()
        );
        assert_eq!(match_labels(&json!({"kind": "ConfigMap"})), None);
    }
}
