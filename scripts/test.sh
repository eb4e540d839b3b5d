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
# The SQL storage driver's tests run a throwaway PostgreSQL server.
if ! { command -v initdb && command -v postgres; } >/dev/null &&
    ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
cargo test --workspace --locked
# Black-box scenarios: the built binaries, the reference helm and kubectl
# against a test cluster. Only the scenarios whose commands exist run here;
# e2e/README.md lists the others (they need upgrade and rollback).
cargo build --locked -q -p kubectl-helm
cargo run --locked -q -p kubectl-helm-e2e --bin e2e -- helm-releases-we-list
