#!/usr/bin/env bash
# Install Debian's chromium + ripgrep and code-server@4.100.3 (VS Code 1.100.3, Node 20) into a folder.
# Usage: install.sh [DEST]   (default: ~/.cache/deep-agent-workbench/code-server-4.100.3, kept between runs). Idempotent, non-interactive.
# Env: CODE_SERVER_VERSION (default 4.100.3), npm_config_cache (default ~/.npm; cache it in CI).
set -euo pipefail

DEST="$(realpath -m "${1:-${XDG_CACHE_HOME:-$HOME/.cache}/deep-agent-workbench/code-server-4.100.3}")"
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
START=$SECONDS
log() { echo "[install +$((SECONDS - START))s] $*"; }

# 1. Debian packages (apt-get update only when something is missing).
PKGS=(chromium ripgrep libkrb5-dev pkg-config build-essential python3)
MISSING=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING+=("$p")
done
if ((${#MISSING[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${MISSING[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${MISSING[@]}" >/dev/null
fi

# 2. Skip when DEST already holds a working code-server of that version.
#    (Even `code-server --version` writes config.yaml and coder-logs under XDG dirs: point them at scratch.)
BIN="$DEST/node_modules/.bin/code-server"
cs_version() { local t; t="$(mktemp -d)"; XDG_CONFIG_HOME="$t" XDG_DATA_HOME="$t" "$BIN" --version 2>/dev/null | grep -v ' info '; rm -rf "$t"; }
if [ -x "$BIN" ] && cs_version | grep -q "^$VERSION "; then
  log "code-server $VERSION already installed in $DEST; done in $((SECONDS - START))s"
  exit 0
fi

# 3. Pre-seed @vscode/ripgrep's download cache with Debian's rg (its postinstall downloads from GitHub).
#    code-server 4.100.3 pins @vscode/ripgrep 1.15.11 (lib/vscode/npm-shrinkwrap.json), which wants
#    ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz in $TMPDIR/vscode-ripgrep-cache-1.15.11/.
RG_PKG_VERSION="${RG_PKG_VERSION:-1.15.11}"
RG_ASSET="${RG_ASSET:-ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz}"
INSTALL_TMP="$(mktemp -d)"
trap 'rm -rf "$INSTALL_TMP"' EXIT
mkdir -p "$INSTALL_TMP/vscode-ripgrep-cache-$RG_PKG_VERSION"
tar -czf "$INSTALL_TMP/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C /usr/bin rg

# 4. npm install in a folder of its own. Its own package.json stops npm from walking up to a parent project.
#    Settings go through npm_config_* env vars so the nested `npm install`s in code-server's postinstall
#    (lib/vscode and lib/vscode/extensions) inherit them too.
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{ "name": "code-server-host", "private": true }' >"$DEST/package.json"
log "npm install code-server@$VERSION into $DEST"
(
  cd "$DEST"
  export TMPDIR="$INSTALL_TMP"
  export npm_config_yes=true              # node-pty's postinstall runs `npx node-gyp`
  export npm_config_unsafe_perm=true      # code-server's postinstall insists on it when root
  export npm_config_foreground_scripts=true
  export npm_config_prefer_offline=true   # reuse the npm cache when it has the tarballs
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  npm install --save-exact "code-server@$VERSION" >"$DEST/install.log" 2>&1 \
    || { tail -40 "$DEST/install.log"; echo "npm install failed; full log in $DEST/install.log" >&2; exit 1; }
)
cs_version | grep -q "^$VERSION " || { echo "code-server does not start; see $DEST/install.log" >&2; exit 1; }
log "installed code-server $VERSION in $((SECONDS - START))s"
