#!/usr/bin/env bash
# End-to-end test of editors/nvim/archc.lua against the real `archc` language server: opens a
# copy of examples/placement/global.arch with an unknown name inserted, waits for the
# server's diagnostic, asks for a hover on a declared name, then removes the error and checks
# that hover shows the size a decision instantiates to.
#
# Usage: editors/nvim/test/e2e.sh [path/to/archc]   (default: target/debug/archc, built by
# `cargo build`). Needs `nvim` 0.7 or later. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
here="$(pwd)"
repo="$(cd ../../.. && pwd)"
archc="${1:-$repo/target/debug/archc}"
if [ ! -x "$archc" ]; then
  echo "e2e: no archc binary at $archc (run \`cargo build\` first)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin" "$work/project/.git"
ln -s "$(cd "$(dirname "$archc")" && pwd)/$(basename "$archc")" "$work/bin/archc"
cp -r "$repo/examples/placement/." "$work/project/"
# The deliberate error: a call of a function that does not exist.
printf '\nconstraint broken: no_such_name(1) >= 0\n' >> "$work/project/global.arch"

export PATH="$work/bin:$PATH"
export ARCHC_E2E_FILE="$work/project/global.arch"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"

timeout 120 nvim --headless -i NONE -u "$here/../archc.lua" -c "luafile $here/e2e.lua"
