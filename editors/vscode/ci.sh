#!/usr/bin/env bash
# Builds the VS Code extension from a clean install and runs the grammar tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
npm run compile
npm test
