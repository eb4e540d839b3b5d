//! Jobs: pods run until `completions` succeed (`Complete`) or more than
//! `backoffLimit` fail (`Failed`, reason `BackoffLimitExceeded`).

use serde_json::{Value, json};

use super::pods::{self, PodName};
use super::replicas::put_counts;
use super::{
    BURST_PODS, Pass, built_in, condition, name_of, namespace_of, owned, terminating, timestamp,
    uid_of,
};

/// Runs each unfinished Job's pods and reports its counts and conditions.
pub fn jobs(pass: &mut Pass<'_>) {
    let (Some(jobs), Some(pod_type)) = (built_in("batch", "jobs"), built_in("", "pods")) else {
        return;
    };
    let all_pods = pass.list(pod_type);
    for job in pass.managed(jobs) {
        if terminating(&job) || finished(&job) || job["spec"]["suspend"] == true {
            continue;
        }
        let spec = &job["spec"];
        let completions = spec["completions"].as_i64().unwrap_or(1).max(0);
        let parallelism = spec["parallelism"].as_i64().unwrap_or(1).max(0);
        let backoff_limit = spec["backoffLimit"].as_i64().unwrap_or(6).max(0);
        let mine = owned(&all_pods, &job);
        let phase_count = |phase: &str| {
            i64::try_from(
                mine.iter()
                    .filter(|p| p["status"]["phase"] == phase)
                    .count(),
            )
            .unwrap_or(0)
        };
        let (succeeded, failed) = (phase_count("Succeeded"), phase_count("Failed"));
        let active: Vec<&&Value> = mine
            .iter()
            .filter(|p| {
                !terminating(p)
                    && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
            })
            .collect();
        let previous = &job["status"]["conditions"];
        let mut status = json!({
            "startTime": job["status"]["startTime"].as_str().map_or_else(timestamp, str::to_owned),
            "ready": active.iter().filter(|p| pods::ready(p)).count(),
            "terminating": 0,
            "uncountedTerminatedPods": {},
        });
        let done = |kind: &str, reason: &str, message: &str| {
            let mut c = condition(previous, kind, true, reason, message, false);
            c["lastProbeTime"] = c["lastTransitionTime"].clone();
            c
        };
        if succeeded >= completions {
            let message = "Reached expected number of succeeded pods";
            status["conditions"] = json!([
                done("SuccessCriteriaMet", "CompletionsReached", message),
                done("Complete", "CompletionsReached", message),
            ]);
            status["completionTime"] = json!(timestamp());
        } else if failed > backoff_limit {
            let message = "Job has reached the specified backoff limit";
            status["conditions"] = json!([
                done("FailureTarget", "BackoffLimitExceeded", message),
                done("Failed", "BackoffLimitExceeded", message),
            ]);
        } else {
            let running = i64::try_from(active.len()).unwrap_or(0);
            let wanted = parallelism.min(completions - succeeded);
            for _ in (running..wanted).take(BURST_PODS) {
                pass.create(pod_type, namespace_of(&job), job_pod(&job));
            }
            put_counts(&mut status, &[("active", wanted.max(running))]);
        }
        put_counts(&mut status, &[("succeeded", succeeded), ("failed", failed)]);
        pass.set_status(jobs, &job, status);
    }
}

/// Whether the Job has a true `Complete` or `Failed` condition.
fn finished(job: &Value) -> bool {
    job["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True")
}

fn job_pod(job: &Value) -> Value {
    let mut pod = pods::from_template(
        job,
        &job["spec"]["template"],
        PodName::Generated(name_of(job)),
    );
    let mut labels = pod["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (key, value) in [
        ("batch.kubernetes.io/controller-uid", uid_of(job)),
        ("batch.kubernetes.io/job-name", name_of(job)),
        ("controller-uid", uid_of(job)),
        ("job-name", name_of(job)),
    ] {
        labels.insert(key.to_owned(), json!(value));
    }
    pod["metadata"]["labels"] = Value::Object(labels);
    pod
}
