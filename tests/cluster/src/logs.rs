//! `GET …/pods/NAME/log`: no container runs here, so each container's
//! log is one fixed line naming it, enough for `helm test --logs` and
//! `kubectl logs` to have something to print.

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::resources;
use crate::status::ApiError;
use crate::store::Store;

/// The log of one container of a stored pod.
pub fn line(namespace: &str, pod: &str, container: &str) -> String {
    format!("container {container} of pod {namespace}/{pod} ran in the test cluster\n")
}

/// Answers a log request: the `container` parameter, or the pod's only
/// container, chooses the line.
pub fn respond(
    store: &Store,
    namespace: &str,
    name: &str,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let pods = resources::find("", "v1", "pods").ok_or_else(ApiError::no_such_path)?;
    let pod = store.get(pods, namespace, name)?;
    let containers: Vec<&str> = ["initContainers", "containers"]
        .iter()
        .flat_map(|field| pod["spec"][field].as_array().into_iter().flatten())
        .filter_map(|c| c["name"].as_str())
        .collect();
    let regular: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let container = match query.get("container").map(String::as_str) {
        Some(given) if !given.is_empty() => {
            if !containers.contains(&given) {
                return Err(ApiError::bad_request(format!(
                    "container {given} is not valid for pod {name}"
                )));
            }
            given
        }
        _ => match regular.as_slice() {
            [only] => only,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    regular.join(" ")
                )));
            }
        },
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        line(namespace, name, container),
    )
        .into_response())
}
