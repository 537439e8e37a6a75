#!/usr/bin/env bash
# The demo behind `make run`: a sample directory, two snapshots around an
# edit, the snapshot list, a look inside, and a one-file restore.
set -euo pipefail
cd "$(dirname "$0")/.."
strata() { node dist/cli/main.js "$@"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
work=$(mktemp -d /tmp/strata-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
export STRATA_REPO="$work/backup"
# encrypted by default: the demo keeps its password in a private file and its cache beside it
printf 'demo password\n' > "$work/password"; chmod 600 "$work/password"
export STRATA_PASSWORD_FILE="$work/password" STRATA_CACHE_DIR="$work/cache"
mkdir -p "$work/project/src/lib" "$work/project/docs"
echo 'console.log("hello, strata")' > "$work/project/src/main.ts"
echo 'export const answer = 42;' > "$work/project/src/lib/answer.ts"
printf '# Notes\n\nfirst draft\n' > "$work/project/docs/notes.md"
head -c 5000000 /usr/bin/node > "$work/project/blob.bin" 2>/dev/null || head -c 5000000 /dev/urandom > "$work/project/blob.bin"
echo "sample project in $work/project, repository in $STRATA_REPO"
say "strata init   # STRATA_PASSWORD_FILE=$work/password"; strata init
say strata snapshot project; strata snapshot "$work/project"
echo 'second draft' >> "$work/project/docs/notes.md"
say "echo 'second draft' >> project/docs/notes.md"
say strata snapshot project; strata snapshot "$work/project"
say strata snapshots; strata snapshots
say strata ls latest:src; strata ls -l latest:src
say strata cat latest~1:docs/notes.md; strata cat latest~1:docs/notes.md
say strata restore latest~1:docs/notes.md --target restored; strata restore latest~1:docs/notes.md --target "$work/restored"
say cat restored/notes.md; cat "$work/restored/notes.md"
