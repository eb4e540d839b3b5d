//! The simulated controllers, seen through the reference `kubectl` and
//! `helm`: rollouts, waits, Helm's `--wait`, Jobs, garbage collection,
//! the status subresource, CRDs and the smaller controllers.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{cluster, run, run_err, run_ok};

/// Writes `yaml` to a file in the cluster's directory and creates its
/// objects in `namespace`.
fn create(namespace: &str, yaml: &str) {
    let file = write_file(&format!("{namespace}-{}.yaml", unique()), yaml);
    run_ok("kubectl", &["create", "-n", namespace, "-f", &file]);
}

fn write_file(name: &str, text: &str) -> String {
    let path = cluster().dir().join(name);
    std::fs::write(&path, text).expect("manifest written");
    path.to_string_lossy().into_owned()
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn namespace(name: &str) {
    run_ok("kubectl", &["create", "namespace", name]);
}

fn jsonpath(namespace: &str, object: &str, path: &str) -> String {
    run_ok(
        "kubectl",
        &[
            "get",
            "-n",
            namespace,
            object,
            "-o",
            &format!("jsonpath={path}"),
        ],
    )
}

fn deployment(name: &str, replicas: u32, annotations: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  annotations: {{{annotations}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: app
        image: nginx:1
"
    )
}

#[test]
fn rollout_status_and_wait_follow_a_delayed_deployment() {
    namespace("rollout");
    let started = Instant::now();
    create(
        "rollout",
        &deployment("web", 2, "test.kubectl-helm.io/ready-after: 1s"),
    );
    let out = run_ok(
        "kubectl",
        &[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "rollout",
            "--timeout=30s",
        ],
    );
    assert!(
        out.ends_with("deployment \"web\" successfully rolled out\n"),
        "{out}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    let out = run_ok(
        "kubectl",
        &[
            "wait",
            "--for=condition=Available",
            "deploy/web",
            "-n",
            "rollout",
            "--timeout=10s",
        ],
    );
    assert_eq!(out, "deployment.apps/web condition met\n");
    let counts = jsonpath(
        "rollout",
        "deploy/web",
        "{.status.observedGeneration} {.status.replicas} {.status.updatedReplicas} \
         {.status.readyReplicas} {.status.availableReplicas}",
    );
    assert_eq!(counts, "1 2 2 2 2");
    let progressing = jsonpath(
        "rollout",
        "deploy/web",
        "{.status.conditions[?(@.type==\"Progressing\")].reason}",
    );
    assert_eq!(progressing, "NewReplicaSetAvailable");
    let pods = run_ok(
        "kubectl",
        &[
            "get", "pods", "-n", "rollout", "-l", "app=web", "-o", "name",
        ],
    );
    assert_eq!(pods.lines().count(), 2, "{pods}");

    // A new template rolls to a new ReplicaSet; the old one scales to 0.
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy/web",
            "-n",
            "rollout",
            "--type=merge",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}"#,
        ],
    );
    run_ok(
        "kubectl",
        &[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "rollout",
            "--timeout=30s",
        ],
    );
    assert_eq!(
        jsonpath(
            "rollout",
            "deploy/web",
            "{.metadata.generation} {.status.observedGeneration}"
        ),
        "2 2"
    );
    let sets = jsonpath(
        "rollout",
        "replicasets",
        "{range .items[*]}{.metadata.annotations.deployment\\.kubernetes\\.io/revision}={.spec.replicas} {end}",
    );
    let mut sets: Vec<&str> = sets.split_whitespace().collect();
    sets.sort_unstable();
    assert_eq!(sets, ["1=0", "2=2"]);
    let images = jsonpath(
        "rollout",
        "pods",
        "{range .items[*]}{.spec.containers[0].image} {end}",
    );
    assert_eq!(images.trim(), "nginx:2 nginx:2");
}

#[test]
fn a_rollout_that_never_becomes_ready_exceeds_its_progress_deadline() {
    namespace("deadline");
    let manifest = deployment("slow", 1, "test.kubectl-helm.io/outcome: never-ready").replace(
        "spec:\n  replicas",
        "spec:\n  progressDeadlineSeconds: 2\n  replicas",
    );
    create("deadline", &manifest);
    let started = Instant::now();
    let err = run_err(
        "kubectl",
        &[
            "rollout",
            "status",
            "deploy/slow",
            "-n",
            "deadline",
            "--timeout=30s",
        ],
    );
    assert!(
        err.ends_with("error: deployment \"slow\" exceeded its progress deadline\n"),
        "{err}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    let progressing = jsonpath(
        "deadline",
        "deploy/slow",
        "{.status.conditions[?(@.type==\"Progressing\")].status} \
         {.status.conditions[?(@.type==\"Available\")].reason}",
    );
    assert_eq!(progressing, "False MinimumReplicasUnavailable");
}

/// A chart with a Deployment, a StatefulSet with a volume claim template
/// and a pre-install Job hook; `outcome` steers the Deployment,
/// `hookOutcome` the hook.
fn waiting_chart() -> PathBuf {
    let chart = cluster().dir().join(format!("waiter-{}", unique()));
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: waiter\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("values.yaml"),
        "outcome: \"\"\nhookOutcome: \"\"\n",
    )
    .expect("values");
    std::fs::write(
        chart.join("templates/all.yaml"),
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  annotations:
    test.kubectl-helm.io/ready-after: 1s
    {{- with .Values.outcome }}
    test.kubectl-helm.io/outcome: {{ . }}
    {{- end }}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - {name: app, image: nginx}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-db
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - {name: db, image: postgres}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install
    test.kubectl-helm.io/ready-after: 1s
    {{- with .Values.hookOutcome }}
    test.kubectl-helm.io/outcome: {{ . }}
    {{- end }}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: busybox}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-check
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
  - {name: check, image: busybox}
"#,
    )
    .expect("template");
    chart
}

#[test]
fn helm_install_wait_sees_a_deployment_a_job_hook_and_a_statefulset_ready() {
    namespace("helm-wait");
    let chart = waiting_chart();
    let started = Instant::now();
    let out = run_ok(
        "helm",
        &[
            "install",
            "ok",
            &chart.to_string_lossy(),
            "-n",
            "helm-wait",
            "--wait",
            "--server-side=false",
            "--timeout=60s",
        ],
    );
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    // The hook and then the Deployment each waited out their delay.
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(
        jsonpath("helm-wait", "job/ok-migrate", "{.status.succeeded}"),
        "1"
    );
    assert_eq!(
        jsonpath("helm-wait", "statefulset/ok-db", "{.status.readyReplicas}"),
        "2"
    );
    assert_eq!(
        jsonpath("helm-wait", "pvc/data-ok-db-1", "{.status.phase}"),
        "Bound"
    );
    // The API defaults `partition: 0`, so kubectl reports a partitioned
    // roll out, as it does against kube-apiserver.
    let out = run_ok(
        "kubectl",
        &["rollout", "status", "statefulset/ok-db", "-n", "helm-wait"],
    );
    assert_eq!(
        out,
        "partitioned roll out complete: 2 new pods have been updated...\n"
    );
    let out = run_ok("helm", &["test", "ok", "-n", "helm-wait", "--logs"]);
    assert!(out.contains("Phase:          Succeeded\n"), "{out}");
    assert!(
        out.contains(
            "POD LOGS: ok-check (check)\ncontainer check of pod helm-wait/ok-check ran in the test cluster\n"
        ),
        "{out}"
    );
    run_ok("helm", &["uninstall", "ok", "-n", "helm-wait", "--wait"]);
    // Uninstalling removed the Deployment; its ReplicaSet and pods follow.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = run_ok(
            "kubectl",
            &[
                "get",
                "rs,pods",
                "-n",
                "helm-wait",
                "-l",
                "app=web",
                "-o",
                "name",
            ],
        );
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "not collected: {left}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn helm_install_wait_times_out_on_a_deployment_that_never_becomes_ready() {
    namespace("helm-never");
    let chart = waiting_chart();
    let err = run_err(
        "helm",
        &[
            "install",
            "stuck",
            &chart.to_string_lossy(),
            "-n",
            "helm-never",
            "--wait",
            "--server-side=false",
            "--timeout=5s",
            "--set",
            "outcome=never-ready",
        ],
    );
    assert_eq!(
        err,
        "Error: INSTALLATION FAILED: resource Deployment/helm-never/stuck-web not ready. \
         status: InProgress, message: Available: 0/2\ncontext deadline exceeded\n"
    );
    let out = run_ok("helm", &["status", "stuck", "-n", "helm-never"]);
    assert!(out.contains("STATUS: failed\n"), "{out}");
}

#[test]
fn a_failing_job_runs_out_of_retries() {
    namespace("jobs");
    create(
        "jobs",
        "apiVersion: batch/v1
kind: Job
metadata:
  name: broken
  annotations: {test.kubectl-helm.io/outcome: fail}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: busybox}
",
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=condition=Failed",
            "job/broken",
            "-n",
            "jobs",
            "--timeout=10s",
        ],
    );
    let status = jsonpath(
        "jobs",
        "job/broken",
        "{.status.failed} {.status.conditions[?(@.type==\"Failed\")].reason}",
    );
    assert_eq!(status, "2 BackoffLimitExceeded");
    let phases = jsonpath("jobs", "pods", "{range .items[*]}{.status.phase} {end}");
    assert_eq!(phases, "Failed Failed ");
}

#[test]
fn garbage_collection_follows_owner_references() {
    namespace("gc");
    for name in ["background", "foreground", "orphan"] {
        create("gc", &deployment(name, 1, ""));
        run_ok(
            "kubectl",
            &[
                "rollout",
                "status",
                &format!("deploy/{name}"),
                "-n",
                "gc",
                "--timeout=10s",
            ],
        );
    }
    run_ok(
        "kubectl",
        &["delete", "deploy/background", "-n", "gc", "--wait=false"],
    );
    run_ok(
        "kubectl",
        &[
            "delete",
            "deploy/foreground",
            "-n",
            "gc",
            "--cascade=foreground",
        ],
    );
    run_ok(
        "kubectl",
        &["delete", "deploy/orphan", "-n", "gc", "--cascade=orphan"],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let left = loop {
        let left = run_ok("kubectl", &["get", "rs,pods", "-n", "gc", "-o", "name"]);
        if left.lines().count() <= 2 || Instant::now() > deadline {
            break left;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Only the orphaned ReplicaSet and its pod are left, the ReplicaSet
    // without its owner reference.
    let names: Vec<&str> = left.lines().collect();
    assert_eq!(names.len(), 2, "{left}");
    assert!(names[0].starts_with("replicaset.apps/orphan-"), "{left}");
    assert!(names[1].starts_with("pod/orphan-"), "{left}");
    let owners = jsonpath("gc", names[0], "{.metadata.ownerReferences}");
    assert_eq!(owners, "");
}

#[test]
fn the_status_subresource_and_the_main_resource_keep_to_their_parts() {
    namespace("status");
    create("status", &deployment("web", 1, ""));
    run_ok(
        "kubectl",
        &[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "status",
            "--timeout=10s",
        ],
    );
    // Writing the main resource leaves status alone…
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy/web",
            "-n",
            "status",
            "--type=merge",
            "-p",
            r#"{"metadata":{"labels":{"a":"b"}},"status":{"replicas":42}}"#,
        ],
    );
    assert_eq!(
        jsonpath(
            "status",
            "deploy/web",
            "{.status.replicas} {.metadata.generation}"
        ),
        "1 1"
    );
    // …and writing status leaves spec (and the generation) alone. The
    // controller soon rewrites the status, so the patch's answer is read.
    let out = run_ok(
        "kubectl",
        &[
            "patch",
            "deploy/web",
            "-n",
            "status",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":5},"status":{"collisionCount":3}}"#,
            "-o",
            "jsonpath={.spec.replicas} {.status.collisionCount} {.metadata.generation}",
        ],
    );
    assert_eq!(out, "1 3 1");
    assert_eq!(jsonpath("status", "deploy/web", "{.spec.replicas}"), "1");
    let got = run_ok(
        "kubectl",
        &[
            "get",
            "deploy/web",
            "-n",
            "status",
            "--subresource=status",
            "-o",
            "name",
        ],
    );
    assert_eq!(got, "deployment.apps/web\n");
    // Types without the subresource do not serve it.
    run_ok("kubectl", &["create", "cm", "plain", "-n", "status"]);
    let err = run_err(
        "kubectl",
        &["get", "cm/plain", "-n", "status", "--subresource=status"],
    );
    assert_eq!(
        err,
        "Error from server (NotFound): the server could not find the requested resource\n"
    );
}

#[test]
fn a_crd_serves_its_resources_until_it_is_deleted() {
    let crd = write_file(
        "crd-gadgets.yaml",
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
",
    );
    run_ok("kubectl", &["create", "-f", &crd]);
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=condition=Established",
            "crd/gadgets.example.com",
            "--timeout=10s",
        ],
    );
    let resources = run_ok(
        "kubectl",
        &["api-resources", "--api-group=example.com", "--no-headers"],
    );
    let columns: Vec<&str> = resources.split_whitespace().collect();
    assert_eq!(
        columns,
        ["gadgets", "gd", "example.com/v1", "true", "Gadget"]
    );
    create(
        "default",
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 1}\n",
    );
    assert_eq!(
        jsonpath("default", "gd/g", "{.spec.size} {.metadata.generation}"),
        "1 1"
    );
    run_ok(
        "kubectl",
        &[
            "patch",
            "gd/g",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"ok":true}}"#,
        ],
    );
    assert_eq!(
        jsonpath(
            "default",
            "gadgets.example.com/g",
            "{.status.ok} {.metadata.generation}"
        ),
        "true 1"
    );
    run_ok("kubectl", &["delete", "crd", "gadgets.example.com"]);
    let out = run(
        "kubectl",
        &[
            "get",
            "--raw",
            "/apis/example.com/v1/namespaces/default/gadgets/g",
        ],
    );
    assert!(!out.status.success());
    let groups = run_ok("kubectl", &["get", "--raw", "/apis"]);
    assert!(!groups.contains("example.com"), "{groups}");
}

#[test]
fn claims_load_balancers_budgets_and_daemon_sets_report_status() {
    namespace("small");
    create(
        "small",
        "apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: agent}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - {name: agent, image: busybox}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: agent}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: agent}
---
apiVersion: v1
kind: Pod
metadata:
  name: bare
  annotations: {test.kubectl-helm.io/ready-after: 500ms}
spec:
  containers:
  - {name: main, image: busybox}
",
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=condition=Ready",
            "pod/bare",
            "-n",
            "small",
            "--timeout=10s",
        ],
    );
    assert_eq!(
        jsonpath(
            "small",
            "pod/bare",
            "{.status.phase} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].state.running.startedAt}"
        )
        .rsplit_once(' ')
        .map(|(head, _)| head.to_owned()),
        Some("Running true".to_owned())
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=jsonpath={.status.phase}=Bound",
            "pvc/data",
            "-n",
            "small",
            "--timeout=10s",
        ],
    );
    assert_eq!(
        jsonpath("small", "pvc/data", "{.status.capacity.storage}"),
        "2Gi"
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=jsonpath={.status.loadBalancer.ingress[0].ip}",
            "svc/lb",
            "-n",
            "small",
            "--timeout=10s",
        ],
    );
    run_ok(
        "kubectl",
        &[
            "rollout",
            "status",
            "ds/agent",
            "-n",
            "small",
            "--timeout=10s",
        ],
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=jsonpath={.status.currentHealthy}=1",
            "pdb/agent",
            "-n",
            "small",
            "--timeout=10s",
        ],
    );
    assert_eq!(
        jsonpath(
            "small",
            "pdb/agent",
            "{.status.expectedPods} {.status.desiredHealthy} {.status.disruptionsAllowed}"
        ),
        "1 1 0"
    );
}

#[test]
fn a_finalizer_holds_a_deleted_object_until_it_is_removed() {
    namespace("finalizers");
    create(
        "finalizers",
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: [example.com/hold]
",
    );
    run_ok(
        "kubectl",
        &["delete", "cm/held", "-n", "finalizers", "--wait=false"],
    );
    let marked = jsonpath(
        "finalizers",
        "cm/held",
        "{.metadata.finalizers} {.metadata.deletionTimestamp}",
    );
    assert!(marked.starts_with("[\"example.com/hold\"] 20"), "{marked}");
    // A client cannot take the mark back by replacing the object.
    let replacement = write_file(
        "held-replacement.yaml",
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: [example.com/hold]
data: {still: here}
",
    );
    run_ok(
        "kubectl",
        &["replace", "-n", "finalizers", "-f", &replacement],
    );
    assert_eq!(jsonpath("finalizers", "cm/held", "{.data.still}"), "here");
    assert!(!jsonpath("finalizers", "cm/held", "{.metadata.deletionTimestamp}").is_empty());
    run_ok(
        "kubectl",
        &[
            "patch",
            "cm/held",
            "-n",
            "finalizers",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ],
    );
    run_ok(
        "kubectl",
        &[
            "wait",
            "--for=delete",
            "cm/held",
            "-n",
            "finalizers",
            "--timeout=10s",
        ],
    );
    let err = run_err("kubectl", &["get", "cm/held", "-n", "finalizers"]);
    assert!(err.contains("configmaps \"held\" not found"), "{err}");
}

#[test]
fn helm_install_fails_when_its_hook_job_fails() {
    namespace("helm-hook");
    let chart = waiting_chart();
    let err = run_err(
        "helm",
        &[
            "install",
            "hooked",
            &chart.to_string_lossy(),
            "-n",
            "helm-hook",
            "--wait",
            "--server-side=false",
            "--timeout=30s",
            "--set",
            "hookOutcome=fail",
        ],
    );
    assert_eq!(
        err,
        "Error: INSTALLATION FAILED: failed pre-install: resource Job/helm-hook/hooked-migrate \
         not ready. status: Failed, message: Job Failed. failed: 2/1\n"
    );
}

#[test]
fn helm_waits_for_jobs_load_balancers_claims_and_daemon_sets() {
    namespace("helm-jobs");
    let chart = cluster().dir().join("jobs-chart");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: jobs\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("templates/all.yaml"),
        "apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-job
  annotations: {test.kubectl-helm.io/ready-after: 1500ms}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: j, image: busybox}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-lb
  annotations: {test.kubectl-helm.io/ready-after: 1s}
spec:
  type: LoadBalancer
  ports: [{port: 80}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: {{ .Release.Name }}-pvc}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: {{ .Release.Name }}-ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec:
      containers: [{name: d, image: busybox}]
",
    )
    .expect("template");
    let started = Instant::now();
    let out = run_ok(
        "helm",
        &[
            "install",
            "batch",
            &chart.to_string_lossy(),
            "-n",
            "helm-jobs",
            "--wait",
            "--wait-for-jobs",
            "--server-side=false",
            "--timeout=30s",
        ],
    );
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(
        jsonpath("helm-jobs", "job/batch-job", "{.status.succeeded}"),
        "1"
    );
    let service = jsonpath(
        "helm-jobs",
        "svc/batch-lb",
        "{.spec.clusterIP} {.status.loadBalancer.ingress[0].ip}",
    );
    let (cluster_ip, ingress) = service.split_once(' ').expect("two addresses");
    assert!(cluster_ip.starts_with("10.96."), "{service}");
    assert!(ingress.starts_with("198.51.100."), "{service}");
}
