#!/usr/bin/env bash
# Headless Neovim test of editors/nvim: filetype, options, syntax groups and the LSP client,
# against the fake `archc` in test/bin. Needs `nvim` (0.7 or later) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
here="$(pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/project/.git" "$work/project/models/sub" "$work/loose"
cp fixture.arch "$work/project/models/sub/model.arch"
printf 'param x: h = 1 h\n' > "$work/project/other.arch"
printf 'param y: h = 2 h\n' > "$work/loose/a.arch"

export PATH="$here/bin:$PATH"
export ARCHC_TEST_DIR="$work"
export ARCHC_FAKE_LOG="$work/server.log"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"

timeout 60 nvim --headless -i NONE -u "$here/../archc.lua" -c "luafile $here/test_archc.lua"
