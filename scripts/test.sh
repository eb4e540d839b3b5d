#!/usr/bin/env bash
# Every check the project has: formatting, lints, and all tests (unit,
# differential against the reference Helm, integration). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The differential tests compare against the reference Helm; fetch it first
# so a download problem is reported as such.
scripts/fetch-reference-helm.sh >/dev/null
cargo test --workspace --locked
