//! kstatus' rules for the kinds without pods: Services, claims,
//! disruption budgets, CRDs and the kinds that are ready once they exist.

use serde_json::Value;

use super::fields::{self, str_or};
use super::{ComputeError, Computed};

/// Secrets, ConfigMaps and CronJobs.
pub(super) fn always_ready() -> Computed {
    Computed::current("Resource is always ready")
}

/// A Service: a LoadBalancer waits for its cluster IP; others are ready.
pub(super) fn service(object: &Value) -> Computed {
    let type_ = str_or(object, &["spec", "type"], "ClusterIP");
    if type_ == "LoadBalancer" && str_or(object, &["spec", "clusterIP"], "").is_empty() {
        return Computed::in_progress(
            "NoIPAssigned",
            "ClusterIP not set. Service type: LoadBalancer",
        );
    }
    Computed::current("Service is ready")
}

/// A PersistentVolumeClaim: Current once Bound.
pub(super) fn pvc(object: &Value) -> Computed {
    match str_or(object, &["status", "phase"], "unknown") {
        "Bound" => Computed::current("PVC is Bound"),
        phase => Computed::in_progress("NotBound", format!("PVC is not Bound. phase: {phase}")),
    }
}

/// A PodDisruptionBudget: the generic generation check already waited for
/// its controller, so it is Current.
pub(super) fn pdb() -> Computed {
    Computed::current("AllowedDisruptions has been computed.")
}

/// A CustomResourceDefinition: Failed when its names are rejected or it
/// cannot be established, Current once established, else InProgress.
pub(super) fn crd(object: &Value) -> Result<Computed, ComputeError> {
    for condition in fields::conditions(object)? {
        match (condition.type_, condition.status) {
            ("NamesAccepted", "False") => {
                return Ok(Computed::failed(condition.reason, condition.message));
            }
            ("Established", "False") if condition.reason != "Installing" => {
                return Ok(Computed::failed(condition.reason, condition.message));
            }
            ("Established", "True") => return Ok(Computed::current("CRD is established")),
            _ => {}
        }
    }
    Ok(Computed::in_progress("Installing", "Install in progress"))
}
