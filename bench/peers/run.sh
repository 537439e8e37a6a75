#!/usr/bin/env bash
# `make bench-peers`: installs the peer tools that are missing (Debian
# packages restic, borgbackup, rsync, watchman, time; needs root and apt-get),
# then runs the side-by-side harness. Arguments are passed through
# (e.g. --skip-missing); settings are environment variables (docs/bench.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
declare -A pkg=([restic]=restic [borg]=borgbackup [rsync]=rsync [watchman]=watchman [/usr/bin/time]=time [du]=coreutils)
missing=()
for cmd in "${!pkg[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg[$cmd]}")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: not installed: ${missing[*]} (needs root and apt-get); run with --skip-missing to leave those tools out" >&2
  fi
fi
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.json
exec node --import=tsx bench/peers/main.ts "$@"
