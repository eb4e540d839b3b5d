//! Black-box end-to-end scenarios: the built `kubectl-helm`, the reference
//! `helm` and `kubectl`, run as subprocesses against whatever cluster a
//! kubeconfig names.
//!
//! Scenarios are data ([`scenario`]): a chart, steps (which tool, which
//! verb and flags) and what each must print and exit with; the [`runner`]
//! runs each once per storage driver in namespaces of its own, through
//! [`process`], comparing output with its times masked ([`mask`]). The
//! `e2e` binary runs the files of `e2e/scenarios/`; `bench-releases`
//! times `list` and `history` against the reference Helm.

pub mod mask;
pub mod process;
pub mod runner;
pub mod scenario;
