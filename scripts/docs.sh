#!/usr/bin/env bash
# docs.sh - the lesson documentation, generated from the lessons' own text (their table entries in
# lessons/*.c), so a lesson is described in one place:
#   docs/lessons/LESSON.md   one page per lesson: socklab explain LESSON --markdown
#   README.md                the table of lessons between its "lessons:begin" and "lessons:end"
#                            markers: socklab list --markdown
# Usage: scripts/docs.sh [--check] BUILD_DIR   (./lab docs runs it on build/debug)
#   --check: change nothing; list what is out of date and exit 1 if anything is (a test runs this).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ $# = 1 ] || { echo "usage: scripts/docs.sh [--check] BUILD_DIR" >&2; exit 2; }
socklab=$1/socklab
[ -x "$socklab" ] || { echo "docs.sh: no $socklab (build first: ./lab build)" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/socklab-docs.XXXXXX")
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/docs/lessons"
for l in $("$socklab" list | awk '{print $1}'); do
    "$socklab" explain "$l" --markdown > "$out/docs/lessons/$l.md"
done
"$socklab" list --markdown > "$out/table.md"
# README.md with the lines between the markers replaced by the generated table.
grep -q '^<!-- lessons:begin' "$root/README.md" && grep -q '^<!-- lessons:end' "$root/README.md" ||
    { echo "docs.sh: README.md lacks the <!-- lessons:begin --> / <!-- lessons:end --> markers" >&2; exit 2; }
awk -v table="$out/table.md" '
    /^<!-- lessons:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- lessons:end/ { skip = 0 }
    !skip' "$root/README.md" > "$out/README.md"

stale=()
for f in "$out"/docs/lessons/*.md; do
    cmp -s "$f" "$root/docs/lessons/$(basename "$f")" || stale+=("docs/lessons/$(basename "$f")")
done
for f in "$root"/docs/lessons/*.md; do
    [ -e "$f" ] || continue
    [ -e "$out/docs/lessons/$(basename "$f")" ] || stale+=("docs/lessons/$(basename "$f") (no such lesson)")
done
cmp -s "$out/README.md" "$root/README.md" || stale+=("README.md (the table of lessons)")

if [ $check = 1 ]; then
    if [ ${#stale[@]} -gt 0 ]; then
        list=$(printf '%s, ' "${stale[@]}")
        echo "out of date with the lessons (run ./lab docs): ${list%, }"
        exit 1
    fi
    echo "docs: every page and the README's table match the lessons' text"
    exit 0
fi
mkdir -p "$root/docs/lessons"
for f in "$root"/docs/lessons/*.md; do
    [ -e "$f" ] && [ ! -e "$out/docs/lessons/$(basename "$f")" ] && rm -f "$f"
done
cp "$out"/docs/lessons/*.md "$root/docs/lessons/"
cp "$out/README.md" "$root/README.md"
echo "docs: ${#stale[@]} file(s) updated from the lessons' text"
