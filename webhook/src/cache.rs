//! Watches that keep release Secrets (labels only: their bodies are
//! dropped, a record can be 1 MiB) and ChartPolicies in memory, so
//! admission does not wait on a list.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use helm::policy::Policy;
use helm::policy::spec::{GROUP, PLURAL, VERSION};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};

/// The label selector of Helm's release Secrets. (kube-apiserver also
/// selects Secrets by the field `type=helm.sh/release.v1`, but the
/// project's test cluster serves no field selector beyond name and
/// namespace; Helm labels every record `owner=helm`, and the lookup checks
/// the type.)
pub const RELEASE_SECRETS: &str = "owner=helm";

/// The ChartPolicy resource.
pub fn chart_policy_resource() -> ApiResource {
    let gvk = GroupVersionKind::gvk(GROUP, VERSION, helm::policy::spec::KIND);
    ApiResource::from_gvk_with_plural(&gvk, PLURAL)
}

/// The policies compiled from one state of the cache, by name and
/// resourceVersion, so they are compiled once per change.
type Compiled = (Vec<(String, String)>, Arc<Vec<Policy>>);

/// The watched state.
pub struct Caches {
    /// Release Secrets of every namespace, without `data`.
    pub secrets: Store<Secret>,
    policies: Store<DynamicObject>,
    compiled: Mutex<Compiled>,
    ready: Arc<AtomicBool>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl Caches {
    /// Starts the watches on the current tokio runtime; they run (and
    /// retry with backoff) until the runtime stops.
    pub fn start(client: Client) -> Caches {
        let (secrets, secret_writer) = reflector::store::<Secret>();
        let secret_api = Api::<Secret>::all(client.clone());
        let secret_stream = watcher(
            secret_api,
            watcher::Config::default().labels(RELEASE_SECRETS),
        )
        .default_backoff()
        .modify(|secret: &mut Secret| {
            secret.data = None;
            secret.string_data = None;
            secret.metadata.managed_fields = None;
        })
        .reflect(secret_writer)
        .applied_objects();
        tokio::spawn(drain(secret_stream, "release secrets"));

        let resource = chart_policy_resource();
        let policy_writer = reflector::store::Writer::new(resource.clone());
        let policies = policy_writer.as_reader();
        let policy_api = Api::<DynamicObject>::all_with(client, &resource);
        let policy_stream = watcher(policy_api, watcher::Config::default())
            .default_backoff()
            .reflect(policy_writer)
            .applied_objects();
        tokio::spawn(drain(policy_stream, "chart policies"));

        let ready = Arc::new(AtomicBool::new(false));
        let (s, p, flag) = (secrets.clone(), policies.clone(), Arc::clone(&ready));
        tokio::spawn(async move {
            if s.wait_until_ready().await.is_ok() && p.wait_until_ready().await.is_ok() {
                flag.store(true, Ordering::Release);
                tracing::info!("caches synced");
            }
        });
        Caches {
            secrets,
            policies,
            compiled: Mutex::new((Vec::new(), Arc::new(Vec::new()))),
            ready,
        }
    }

    /// Whether both watches have listed once.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The cached policies, compiled; `None` until the cache has synced.
    pub fn policies(&self) -> Option<Arc<Vec<Policy>>> {
        if !self.is_ready() {
            return None;
        }
        let mut objects = self.policies.state();
        objects.sort_by_key(|o| o.name_any());
        let key: Vec<(String, String)> = objects
            .iter()
            .map(|o| (o.name_any(), o.resource_version().unwrap_or_default()))
            .collect();
        let mut compiled = self.compiled.lock().ok()?;
        if compiled.0 != key {
            let values = objects
                .iter()
                .filter_map(|o| serde_json::to_value(o.as_ref()).ok());
            *compiled = (key, Arc::new(compile(values)));
        }
        Some(Arc::clone(&compiled.1))
    }
}

/// Compiles policy objects; a broken one is logged and left out, so one
/// admin's typo does not block every write.
pub fn compile(objects: impl Iterator<Item = serde_json::Value>) -> Vec<Policy> {
    objects
        .filter_map(|object| match Policy::from_object(&object) {
            Ok(policy) => Some(policy),
            Err(e) => {
                tracing::warn!(error = %e, "ChartPolicy ignored");
                None
            }
        })
        .collect()
}

async fn drain<S, T>(stream: S, what: &'static str)
where
    S: futures_util::Stream<Item = Result<T, watcher::Error>>,
{
    let mut stream = std::pin::pin!(stream);
    while let Some(event) = stream.next().await {
        if let Err(e) = event {
            tracing::warn!(error = %e, "watch of {what} failed; retrying");
        }
    }
}
