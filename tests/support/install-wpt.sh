#!/usr/bin/env bash
# Installs the web-push-testing mock push service into a directory (default target/wpt) for
# tests/web_push_testing.rs, next to wpt-loopback.js, which starts it bound to 127.0.0.1.
# Does nothing but refresh wpt-loopback.js when the pinned version is already there.
# Usage: tests/support/install-wpt.sh [dir]
set -euo pipefail

readonly VERSION=1.2.2
readonly MIN_NODE=20
support="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-target/wpt}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-wpt: '$tool' not found; web-push-testing needs Node.js >= $MIN_NODE and npm" >&2
    exit 1
  fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < MIN_NODE)); then
  echo "install-wpt: web-push-testing needs Node.js >= $MIN_NODE, found $(node --version)" >&2
  exit 1
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
manifest="$dir/node_modules/web-push-testing/package.json"
installed="$(node -p "require(process.argv[1]).version" "$manifest" 2>/dev/null || true)"
if [[ "$installed" != "$VERSION" ]]; then
  echo "install-wpt: installing web-push-testing@$VERSION into $dir" >&2
  [[ -f "$dir/package.json" ]] || (cd "$dir" && npm init -y >/dev/null)
  (cd "$dir" && npm install --no-audit --no-fund --save-exact "web-push-testing@$VERSION" >&2)
fi
cp "$support/wpt-loopback.js" "$dir/wpt-loopback.js"
chmod u+w "$dir/wpt-loopback.js"
echo "$dir"
