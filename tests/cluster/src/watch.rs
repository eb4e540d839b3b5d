//! `?watch=true` on a collection: a chunked stream of newline-delimited
//! watch events (`{"type":"ADDED","object":{…}}`), fed by the store's
//! notification point ([`crate::events`]).
//!
//! Where the stream starts follows kube-apiserver: with no
//! `resourceVersion` (or `0`) the current objects come first as `ADDED`
//! events; with one, the writes after it (410 `Expired` as an `ERROR`
//! event when it is older than the history); with `sendInitialEvents=true`
//! (client-go's watch-list) the current objects and then a bookmark
//! annotated `k8s.io/initial-events-end`. `allowWatchBookmarks` adds
//! periodic bookmarks; `timeoutSeconds` ends the stream.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::api::ApiState;
use crate::events::{Event, EventKind, Expired};
use crate::resources::ResourceType;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::ListOptions;

/// How often a watch that allows bookmarks gets one. kube-apiserver
/// sends them about once a minute; tests should not wait that long.
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(1);

/// Events buffered for a slow reader before the watch stops feeding it.
const BUFFERED_EVENTS: usize = 256;

/// The annotation of the bookmark that ends a watch-list's initial events.
pub const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

/// Whether a collection GET asks to watch (`watch=true` or `watch=1`).
pub fn requested(query: &HashMap<String, String>) -> bool {
    query.get("watch").is_some_and(|w| w == "true" || w == "1")
}

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// The current objects as `ADDED` events, then what follows; with
    /// `end_bookmark`, a bookmark marks where the initial events end.
    Current { end_bookmark: bool },
    /// The writes after this resourceVersion.
    After(u64),
    /// Only writes from now on.
    Now,
}

/// A parsed watch request.
#[derive(Debug, Clone)]
struct WatchRequest {
    resource: &'static ResourceType,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    start: Start,
    bookmarks: bool,
    timeout: Option<Duration>,
}

impl WatchRequest {
    fn parse(
        resource: &'static ResourceType,
        namespace: Option<&str>,
        query: &HashMap<String, String>,
    ) -> Result<Self, ApiError> {
        let text = |key: &str| query.get(key).map(String::as_str).unwrap_or("");
        let flag = |key: &str| matches!(text(key), "true" | "1");
        let version = text("resourceVersion");
        let send_initial = match text("sendInitialEvents") {
            "" => None,
            value => Some(matches!(value, "true" | "1")),
        };
        let version_match = text("resourceVersionMatch");
        match (send_initial, version_match) {
            (Some(_), "NotOlderThan") | (None, "") => {}
            (Some(_), _) => {
                return Err(invalid(
                    "resourceVersionMatch",
                    "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                ));
            }
            (None, _) => {
                return Err(invalid(
                    "resourceVersionMatch",
                    "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                ));
            }
        }
        if send_initial == Some(true) && !flag("allowWatchBookmarks") {
            return Err(invalid(
                "allowWatchBookmarks",
                "Forbidden: allowWatchBookmarks is required when sendInitialEvents is set",
            ));
        }
        let parsed_version = match version {
            "" | "0" => None,
            v => Some(v.parse::<u64>().map_err(|_| {
                invalid(
                    "resourceVersion",
                    &format!("Invalid value: \"{v}\": must be a number"),
                )
            })?),
        };
        let start = match (send_initial, parsed_version) {
            (Some(true), _) => Start::Current { end_bookmark: true },
            (Some(false), Some(v)) | (None, Some(v)) => Start::After(v),
            (Some(false), None) => Start::Now,
            (None, None) => Start::Current {
                end_bookmark: false,
            },
        };
        let timeout = match text("timeoutSeconds") {
            "" => None,
            t => Some(Duration::from_secs(t.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!("timeoutSeconds: invalid value {t:?}"))
            })?)),
        };
        Ok(Self {
            resource,
            namespace: namespace.map(str::to_owned),
            labels: LabelSelector::parse(text("labelSelector"))?,
            fields: FieldSelector::parse(text("fieldSelector"))?,
            start,
            bookmarks: flag("allowWatchBookmarks"),
            timeout,
        })
    }

    /// What this watch sees of an event, if anything. Like
    /// kube-apiserver's watch cache, a modification that moves an object
    /// into the selection is `ADDED`, and out of it `DELETED`.
    fn view(&self, event: &Event) -> Option<Value> {
        let in_scope = event.group == self.resource.group
            && event.plural == self.resource.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == event.namespace);
        if !in_scope {
            return None;
        }
        let is = self.selects(&event.object);
        let was = event.previous.as_ref().is_some_and(|p| self.selects(p));
        let kind = match event.kind {
            EventKind::Modified if is && !was => EventKind::Added,
            EventKind::Modified if was && !is => EventKind::Deleted,
            kind => kind,
        };
        let shown = match kind {
            EventKind::Added | EventKind::Modified => is,
            EventKind::Deleted => is || was,
        };
        shown.then(|| frame(kind.as_str(), event.object.clone()))
    }

    fn selects(&self, object: &Value) -> bool {
        let metadata = &object["metadata"];
        self.labels.matches(metadata.get("labels")) && self.fields.matches(metadata)
    }

    fn bookmark(&self, revision: u64, initial_end: bool) -> Value {
        let mut metadata =
            json!({"resourceVersion": revision.to_string(), "creationTimestamp": null});
        if initial_end {
            metadata["annotations"] = json!({ INITIAL_EVENTS_END: "true" });
        }
        frame(
            "BOOKMARK",
            json!({
                "kind": self.resource.kind,
                "apiVersion": self.resource.api_version(),
                "metadata": metadata,
            }),
        )
    }
}

fn invalid(field: &str, detail: &str) -> ApiError {
    let mut error = ApiError::bad_request(format!(
        "ListOptions.meta.k8s.io \"\" is invalid: {field}: {detail}"
    ));
    error.code = 422;
    error.reason = "Invalid";
    error
}

fn frame(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

fn expired_frame(expired: Expired) -> Value {
    let mut error = ApiError::bad_request(expired.to_string());
    error.code = 410;
    error.reason = "Expired";
    frame("ERROR", error.to_status())
}

/// Answers a watch: validates the request, then streams its events from
/// a task of its own until the timeout, the client leaving, or the
/// watcher falling too far behind.
pub fn respond(
    state: Arc<ApiState>,
    resource: &'static ResourceType,
    namespace: Option<&str>,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let request = WatchRequest::parse(resource, namespace, query)?;
    let (sender, receiver) = mpsc::channel::<Bytes>(BUFFERED_EVENTS);
    tokio::spawn(stream_events(state, request, sender));
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((Ok::<_, std::convert::Infallible>(chunk), receiver))
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}

/// Sends `value` as one line; `false` when the client has gone.
async fn send(sender: &mpsc::Sender<Bytes>, value: &Value) -> bool {
    let mut line = value.to_string().into_bytes();
    line.push(b'\n');
    sender.send(Bytes::from(line)).await.is_ok()
}

async fn stream_events(state: Arc<ApiState>, request: WatchRequest, sender: mpsc::Sender<Bytes>) {
    let store = &state.store;
    // Subscribing before reading the state means no write falls between
    // the two; events the state already covers are skipped by revision.
    let mut live = store.subscribe();
    let mut seen = match request.start {
        Start::Current { end_bookmark } => {
            let options = ListOptions {
                labels: request.labels.clone(),
                fields: request.fields.clone(),
                ..ListOptions::default()
            };
            let Ok(list) = store.list(request.resource, request.namespace.as_deref(), &options)
            else {
                return;
            };
            let revision = list["metadata"]["resourceVersion"]
                .as_str()
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            for item in list["items"].as_array().into_iter().flatten() {
                let mut object = item.clone();
                object["kind"] = json!(request.resource.kind);
                object["apiVersion"] = json!(request.resource.api_version());
                if !send(&sender, &frame(EventKind::Added.as_str(), object)).await {
                    return;
                }
            }
            if end_bookmark && !send(&sender, &request.bookmark(revision, true)).await {
                return;
            }
            revision
        }
        Start::After(revision) => match store.events_since(revision) {
            Ok(backlog) => {
                for frame in backlog.iter().filter_map(|e| request.view(e)) {
                    if !send(&sender, &frame).await {
                        return;
                    }
                }
                backlog
                    .last()
                    .map_or(revision, |e| e.revision.max(revision))
            }
            Err(expired) => {
                send(&sender, &expired_frame(expired)).await;
                return;
            }
        },
        Start::Now => store.revision(),
    };
    // A timeout past the end of time is no timeout.
    let deadline = request
        .timeout
        .and_then(|t| tokio::time::Instant::now().checked_add(t));
    let mut bookmarks = tokio::time::interval(BOOKMARK_INTERVAL);
    bookmarks.tick().await;
    loop {
        let until_deadline = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let sent = tokio::select! {
            () = sender.closed() => return,
            () = until_deadline => return,
            _ = bookmarks.tick(), if request.bookmarks => {
                send(&sender, &request.bookmark(seen, false)).await
            }
            received = live.recv() => match received {
                Ok(event) if event.revision <= seen => true,
                Ok(event) => {
                    seen = event.revision;
                    match request.view(&event) {
                        Some(frame) => send(&sender, &frame).await,
                        None => true,
                    }
                }
                // A watcher that fell behind is cut off, as kube-apiserver
                // cuts off slow watchers; the client watches again from
                // its last resourceVersion (or relists on `Expired`).
                Err(broadcast::error::RecvError::Lagged(_) | broadcast::error::RecvError::Closed) => return,
            },
        };
        if !sent {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    fn parse(query: &str) -> Result<WatchRequest, ApiError> {
        let query: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let configmaps = resources::find("", "v1", "configmaps").expect("served");
        WatchRequest::parse(configmaps, Some("default"), &query)
    }

    #[test]
    fn where_a_watch_starts() {
        let start = |q| parse(q).map(|r| r.start).map_err(|e| (e.code, e.message));
        assert_eq!(
            start("watch=1"),
            Ok(Start::Current {
                end_bookmark: false
            })
        );
        assert_eq!(
            start("resourceVersion=0"),
            Ok(Start::Current {
                end_bookmark: false
            })
        );
        assert_eq!(start("resourceVersion=7"), Ok(Start::After(7)));
        assert_eq!(
            start(
                "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
            ),
            Ok(Start::Current { end_bookmark: true })
        );
        assert_eq!(
            start("sendInitialEvents=false&resourceVersionMatch=NotOlderThan"),
            Ok(Start::Now)
        );
        let err = start("resourceVersionMatch=NotOlderThan").expect_err("refused");
        assert_eq!(err.0, 422);
        assert!(
            err.1
                .contains("resourceVersionMatch is forbidden for watch"),
            "{}",
            err.1
        );
        assert_eq!(start("resourceVersion=x").map_err(|e| e.0), Err(422));
        assert_eq!(start("timeoutSeconds=-1").map_err(|e| e.0), Err(400));
    }

    #[test]
    fn objects_entering_and_leaving_the_selection() {
        // The query helper does not percent-decode: the selector is set here.
        let request = parse("watch=1").expect("parses");
        let request = WatchRequest {
            labels: LabelSelector::parse("a=b").expect("parses"),
            ..request
        };
        let object = |labels: Value| json!({"metadata": {"name": "x", "labels": labels}});
        let event = |kind, previous: Option<Value>, now: Value| Event {
            revision: 1,
            kind,
            group: String::new(),
            plural: "configmaps".to_owned(),
            namespace: "default".to_owned(),
            object: now,
            previous,
        };
        let kind = |e: &Event| request.view(e).map(|f| f["type"].clone());
        let selected = object(json!({"a": "b"}));
        let other = object(json!({"a": "c"}));
        assert_eq!(
            kind(&event(EventKind::Added, None, selected.clone())),
            Some(json!("ADDED"))
        );
        assert_eq!(kind(&event(EventKind::Added, None, other.clone())), None);
        assert_eq!(
            kind(&event(
                EventKind::Modified,
                Some(other.clone()),
                selected.clone()
            )),
            Some(json!("ADDED"))
        );
        assert_eq!(
            kind(&event(
                EventKind::Modified,
                Some(selected.clone()),
                other.clone()
            )),
            Some(json!("DELETED"))
        );
        assert_eq!(
            kind(&event(EventKind::Modified, Some(other.clone()), other)),
            None
        );
        let mut elsewhere = event(EventKind::Added, None, selected);
        elsewhere.namespace = "kube-system".to_owned();
        assert_eq!(kind(&elsewhere), None);
    }
}
