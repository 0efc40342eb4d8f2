#!/usr/bin/env bash
# Resolves franz-go's own kgo integration tests for test/peers/franz-go.test.ts (run by
# test/peers/setup.sh; safe to re-run, quick when done): downloads github.com/twmb/franz-go at
# the pinned version (VERSION) from the Go module proxy into the Go module cache, copies it to a
# writable dir under target/ (gitignored; the module cache is read-only), and compiles the pkg/kgo
# test binary once, so a test run starts it without compiling; also builds the Go toolchain's
# test2json (which turns the binary's -test.v=test2json output into one JSON event per line).
# franz-go's code is never committed. Needs go on PATH.
set -euo pipefail
cd "$(dirname "$0")"

FRANZ_GO_VERSION=$(tr -d '[:space:]' < VERSION)

# franz-go v1.22 declares go 1.26 in its go.mod. Go 1.21+ fetches a newer toolchain itself
# (GOTOOLCHAIN=auto, from the module proxy); an older go cannot build it.
gov=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' 1.21 "$gov" | sort -V | head -1)" != 1.21 ]; then
  echo "franz-go $FRANZ_GO_VERSION needs Go 1.21 or newer (to fetch the go 1.26 toolchain its go.mod asks for); this is go $gov" >&2
  exit 1
fi
src=target/franz-go-$FRANZ_GO_VERSION
bin=target/kgo-$FRANZ_GO_VERSION.test

[ -x target/test2json ] || { mkdir -p target && go build -o target/test2json cmd/test2json; }

if [ -x "$bin" ] && [ -f "$src/.complete" ]; then
  echo "franz-go $FRANZ_GO_VERSION: $bin already built"
  exit 0
fi

# Asked from outside any module (the temp dir), so no go.mod is read or changed.
dir=$(cd "${TMPDIR:-/tmp}" && go mod download -json "github.com/twmb/franz-go@$FRANZ_GO_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] && [ -d "$dir" ] || { echo "go mod download github.com/twmb/franz-go@$FRANZ_GO_VERSION gave no dir" >&2; exit 1; }

rm -rf "$src" "$bin"
mkdir -p target
cp -r "$dir" "$src"
chmod -R u+w "$src"
# kgo's test binary; its dependencies (kmsg, compress, lz4) come from the module proxy too.
(cd "$src" && go test -c -o "../kgo-$FRANZ_GO_VERSION.test" ./pkg/kgo)
touch "$src/.complete"
echo "franz-go $FRANZ_GO_VERSION: built $bin"
