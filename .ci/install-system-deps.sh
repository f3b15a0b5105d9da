#!/usr/bin/env bash
# Install the system packages the site's browser test needs (Debian):
# chromium (driven by Playwright through /usr/bin/chromium) and
# fonts-noto-cjk (so Chinese renders in screenshots). Idempotent and quiet:
# does nothing when both are already installed.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" \
  || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-system-deps: need root to install ${need[*]}" >&2; exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  echo "install-system-deps: apt-get failed installing ${need[*]}:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "install-system-deps: installed ${need[*]}"
