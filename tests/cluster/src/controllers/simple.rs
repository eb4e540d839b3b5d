//! The controllers with one status to write: PVCs are bound, LoadBalancer
//! Services get an ingress address, PodDisruptionBudgets count healthy
//! pods, and CRDs are accepted and established. Steering delays and
//! `outcome: never-ready` apply to the first, second and last.

use serde_json::{Value, json};

use super::steering::{Outcome, Steering};
use super::{Pass, built_in, condition, generation_of, namespace_of, pods, terminating};
use crate::selector::LabelSelector;

/// Whether an object steered like `object` has reached its outcome.
fn settled(pass: &mut Pass<'_>, object: &Value) -> bool {
    let steering = Steering::of(object);
    pass.delay_over(object, steering) && steering.outcome == Outcome::Ready
}

/// Binds each pending PVC, granting the storage it requests.
pub fn claims(pass: &mut Pass<'_>) {
    let Some(claims) = built_in("", "persistentvolumeclaims") else {
        return;
    };
    for claim in pass.managed(claims) {
        if terminating(&claim) || claim["status"]["phase"] == "Bound" || !settled(pass, &claim) {
            continue;
        }
        let spec = &claim["spec"];
        let status = json!({
            "phase": "Bound",
            "accessModes": spec["accessModes"],
            "capacity": {"storage": spec["resources"]["requests"]["storage"]},
        });
        pass.set_status(claims, &claim, status);
    }
}

/// Gives each LoadBalancer Service an ingress IP (from TEST-NET-2).
pub fn load_balancers(pass: &mut Pass<'_>) {
    let Some(services) = built_in("", "services") else {
        return;
    };
    for (index, service) in pass.managed(services).into_iter().enumerate() {
        if service["spec"]["type"] != "LoadBalancer"
            || service["status"]["loadBalancer"]["ingress"].is_array()
            || !settled(pass, &service)
        {
            continue;
        }
        let ip = format!("198.51.100.{}", index % 254 + 1);
        let status = json!({"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}});
        pass.set_status(services, &service, status);
    }
}

/// Counts the healthy pods each PodDisruptionBudget covers.
pub fn disruption_budgets(pass: &mut Pass<'_>) {
    let (Some(budgets), Some(pod_type)) = (
        built_in("policy", "poddisruptionbudgets"),
        built_in("", "pods"),
    ) else {
        return;
    };
    let all_pods = pass.list(pod_type);
    for budget in pass.managed(budgets) {
        let selector = match_labels(&budget["spec"]["selector"]);
        let covered: Vec<&Value> = all_pods
            .iter()
            .filter(|p| namespace_of(p) == namespace_of(&budget) && !terminating(p))
            .filter(|p| {
                selector
                    .as_ref()
                    .is_some_and(|s| s.matches(p["metadata"].get("labels")))
            })
            .collect();
        let expected = i64::try_from(covered.len()).unwrap_or(0);
        let healthy = i64::try_from(covered.iter().filter(|p| pods::ready(p)).count()).unwrap_or(0);
        let desired = match (
            &budget["spec"]["minAvailable"],
            &budget["spec"]["maxUnavailable"],
        ) {
            (Value::Null, Value::Null) => 0,
            (min, Value::Null) => amount(min, expected, true),
            (_, max) => expected.saturating_sub(amount(max, expected, true)).max(0),
        };
        let allowed = healthy.saturating_sub(desired).max(0);
        let (reason, message) = if allowed > 0 {
            ("SufficientPods", "")
        } else {
            ("InsufficientPods", "")
        };
        let mut disruption = condition(
            &budget["status"]["conditions"],
            "DisruptionAllowed",
            allowed > 0,
            reason,
            message,
            false,
        );
        disruption["observedGeneration"] = json!(generation_of(&budget));
        let status = json!({
            "observedGeneration": generation_of(&budget),
            "expectedPods": expected,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "disruptionsAllowed": allowed,
            "conditions": [disruption],
        });
        pass.set_status(budgets, &budget, status);
    }
}

/// A `matchLabels` selector as a label selector; `None` selects nothing
/// (an empty PDB selector matches no pods under policy/v1).
fn match_labels(selector: &Value) -> Option<LabelSelector> {
    let labels = selector["matchLabels"].as_object()?;
    let text: Vec<String> = labels
        .iter()
        .filter_map(|(k, v)| Some(format!("{k}={}", v.as_str()?)))
        .collect();
    LabelSelector::parse(&text.join(",")).ok()
}

/// An `intOrString` (`2` or `50%`) as a count of `total`.
fn amount(value: &Value, total: i64, round_up: bool) -> i64 {
    match value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let percent = s
                .strip_suffix('%')
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(0);
            let product = total.saturating_mul(percent);
            if round_up {
                product.saturating_add(99) / 100
            } else {
                product / 100
            }
        }
        _ => 0,
    }
}

/// Accepts each CRD's names and marks it established.
pub fn definitions(pass: &mut Pass<'_>) {
    let Some(definitions) = built_in("apiextensions.k8s.io", "customresourcedefinitions") else {
        return;
    };
    for crd in pass.managed(definitions) {
        if terminating(&crd) {
            continue;
        }
        let ready = settled(pass, &crd);
        let mut names = crd["spec"]["names"].clone();
        if names["singular"].is_null()
            && let Some(kind) = names["kind"].as_str()
        {
            names["singular"] = json!(kind.to_lowercase());
        }
        if names["listKind"].is_null()
            && let Some(kind) = names["kind"].as_str()
        {
            names["listKind"] = json!(format!("{kind}List"));
        }
        let previous = &crd["status"]["conditions"];
        let stored: Vec<&Value> = crd["spec"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["storage"] == true)
            .map(|v| &v["name"])
            .collect();
        let status = json!({
            "acceptedNames": names,
            "conditions": [
                condition(previous, "NamesAccepted", true, "NoConflicts", "no conflicts found", false),
                if ready {
                    condition(previous, "Established", true, "InitialNamesAccepted", "the initial names have been accepted", false)
                } else {
                    condition(previous, "Established", false, "Installing", "the initial names have been accepted", false)
                },
            ],
            "storedVersions": stored,
        });
        pass.set_status(definitions, &crd, status);
    }
}
