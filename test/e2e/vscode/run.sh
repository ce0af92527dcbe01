#!/usr/bin/env bash
# `npm run test:e2e`: the VS Code end-to-end suite, installs included. The first run installs
# Chromium, code-server and playwright-core (a few minutes, cached in .e2e/); later runs take
# seconds. Screenshots of each step land in .e2e/screenshots/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

bash test/e2e/vscode/install.sh
# vsce packages dist/, so the bundles must be built there.
unset DIST_DIR
npm run package
version=$(node -p 'require("./package.json").version')
E2E=1 E2E_VSIX="django-hardener-$version.vsix" \
  node --test --test-reporter=spec "${TEST_OUT:-out/test}/e2e/vscode.test.js"
echo "screenshots: $PWD/.e2e/screenshots/"
