//! The defaults kube-apiserver fills into specs on every write, those
//! clients read back: `kubectl rollout status` refuses a DaemonSet or
//! StatefulSet whose update strategy is not RollingUpdate, kstatus waits
//! for a Service's `clusterIP`, and the controllers read replicas and
//! retry limits.

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// Fills in the defaults of `resource`'s spec that `object` leaves out.
pub fn apply(resource: &ResourceType, object: &mut Value) {
    let defaults = match (resource.group, resource.plural) {
        ("apps", "deployments") => json!({
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
        }),
        ("apps", "statefulsets") => json!({
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        }),
        ("apps", "daemonsets") => json!({
            "revisionHistoryLimit": 10,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
            },
        }),
        ("apps", "replicasets") => json!({"replicas": 1}),
        ("batch", "jobs") => json!({
            "completions": 1,
            "parallelism": 1,
            "backoffLimit": 6,
            "completionMode": "NonIndexed",
            "suspend": false,
        }),
        ("", "services") => return service(object),
        _ => return,
    };
    if !object["spec"].is_object() {
        object["spec"] = json!({});
    }
    fill(&mut object["spec"], &defaults);
}

/// A Service's defaults and allocations: type, cluster IP, node ports,
/// policies. Addresses come from a hash of the Service's namespace and
/// name, so a Service keeps its own across updates without the store
/// keeping an allocator (two Services may share one; nothing routes).
fn service(object: &mut Value) {
    let key = format!(
        "{}/{}",
        object["metadata"]["namespace"].as_str().unwrap_or_default(),
        object["metadata"]["name"].as_str().unwrap_or_default()
    );
    let hash = fnv(&key);
    if !object["spec"].is_object() {
        object["spec"] = json!({});
    }
    let spec = &mut object["spec"];
    let kind = spec["type"].as_str().unwrap_or("ClusterIP").to_owned();
    let mut defaults = json!({
        "type": kind,
        "sessionAffinity": "None",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "internalTrafficPolicy": "Cluster",
    });
    if kind != "ExternalName" {
        let ip = match spec["clusterIP"].as_str() {
            Some(given) if !given.is_empty() => given.to_owned(),
            _ => format!("10.96.{}.{}", (hash >> 8) % 256, hash % 254 + 1),
        };
        defaults["clusterIP"] = json!(ip);
        defaults["clusterIPs"] = json!([ip]);
    }
    let exposed = matches!(kind.as_str(), "NodePort" | "LoadBalancer");
    if exposed {
        defaults["externalTrafficPolicy"] = json!("Cluster");
    }
    if kind == "LoadBalancer" {
        defaults["allocateLoadBalancerNodePorts"] = json!(true);
    }
    fill(spec, &defaults);
    for (index, port) in spec["ports"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !port.is_object() {
            continue;
        }
        if port["protocol"].is_null() {
            port["protocol"] = json!("TCP");
        }
        if port["targetPort"].is_null() {
            port["targetPort"] = port["port"].clone();
        }
        if exposed && port["nodePort"].is_null() {
            let offset = hash.wrapping_add(u64::try_from(index).unwrap_or(0)) % 2768;
            port["nodePort"] = json!(30000 + offset);
        }
    }
}

/// FNV-1a: a hash that is the same in every run and process, unlike
/// std's hasher.
pub(crate) fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Copies what `defaults` has and `target` lacks, into nested maps too;
/// a strategy of another type gets no rolling-update parameters.
fn fill(target: &mut Value, defaults: &Value) {
    let (Some(target), Some(defaults)) = (target.as_object_mut(), defaults.as_object()) else {
        return;
    };
    let other_strategy = target
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "RollingUpdate");
    for (key, default) in defaults {
        if other_strategy && key == "rollingUpdate" {
            continue;
        }
        match target.get_mut(key) {
            None | Some(Value::Null) => {
                target.insert(key.clone(), default.clone());
            }
            Some(existing) => fill(existing, default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    #[test]
    fn services_get_addresses_that_stay_theirs() {
        let services = resources::find("", "v1", "services").expect("served");
        let body = json!({"metadata": {"name": "lb", "namespace": "default"},
                          "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        let mut first = body.clone();
        apply(services, &mut first);
        let spec = &first["spec"];
        let ip = spec["clusterIP"].as_str().expect("allocated");
        assert!(ip.starts_with("10.96."), "{ip}");
        assert_eq!(spec["clusterIPs"], json!([ip]));
        assert_eq!(spec["ports"][0]["targetPort"], 80);
        assert_eq!(spec["ports"][0]["protocol"], "TCP");
        let node_port = spec["ports"][0]["nodePort"].as_u64().expect("allocated");
        assert!((30000..32768).contains(&node_port));
        let mut again = body;
        apply(services, &mut again);
        assert_eq!(again, first);
        let mut headless = json!({"metadata": {"name": "db"}, "spec": {"clusterIP": "None"}});
        apply(services, &mut headless);
        assert_eq!(headless["spec"]["clusterIP"], "None");
        assert_eq!(headless["spec"]["type"], "ClusterIP");
        assert!(headless["spec"].get("externalTrafficPolicy").is_none());
    }

    #[test]
    fn missing_fields_are_filled_and_given_ones_kept() {
        let deployments = resources::find("apps", "v1", "deployments").expect("served");
        let mut object = json!({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}});
        apply(deployments, &mut object);
        assert_eq!(object["spec"]["replicas"], 3);
        assert_eq!(object["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(object["spec"]["progressDeadlineSeconds"], 600);
        let sets = resources::find("apps", "v1", "daemonsets").expect("served");
        let mut object = json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": 1}}}});
        apply(sets, &mut object);
        assert_eq!(
            object["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}})
        );
    }
}
