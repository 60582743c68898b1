#!/usr/bin/env bash
# docs.sh - the lesson documentation, generated from the lessons' own text (their table entries in
# lessons/*.c), so a lesson is described in one place:
#   docs/lessons/LESSON.md   one page per lesson: socklab explain LESSON --markdown
#   docs/lessons/ko/         the same pages in Korean (--lang ko), and README.md: their table
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
mkdir -p "$out/docs/lessons/ko"
for l in $("$socklab" list --lang en | awk '{print $1}'); do
    "$socklab" explain "$l" --markdown --lang en > "$out/docs/lessons/$l.md"
    "$socklab" explain "$l" --markdown --lang ko > "$out/docs/lessons/ko/$l.md"
done
"$socklab" list --markdown --lang en > "$out/table.md"
{
    printf '# socklab 레슨 (한국어)\n\n'
    printf '각 레슨의 설명은 레슨 파일(lessons/*.c)에 영어와 함께 적힌 한국어에서 생성됩니다: `socklab explain LESSON --lang ko`.\n'
    printf '한국어 로케일(LANG=ko_KR.UTF-8)에서는 --lang 없이도 한국어로 나옵니다. English: [../](../).\n\n'
    "$socklab" list --markdown --lang ko | sed 's|(docs/lessons/ko/|(|'
} > "$out/docs/lessons/ko/README.md"
# README.md with the lines between the markers replaced by the generated table.
grep -q '^<!-- lessons:begin' "$root/README.md" && grep -q '^<!-- lessons:end' "$root/README.md" ||
    { echo "docs.sh: README.md lacks the <!-- lessons:begin --> / <!-- lessons:end --> markers" >&2; exit 2; }
awk -v table="$out/table.md" '
    /^<!-- lessons:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- lessons:end/ { skip = 0 }
    !skip' "$root/README.md" > "$out/README.md"

stale=()
for d in docs/lessons docs/lessons/ko; do
    for f in "$out/$d"/*.md; do
        cmp -s "$f" "$root/$d/$(basename "$f")" || stale+=("$d/$(basename "$f")")
    done
    for f in "$root/$d"/*.md; do
        [ -e "$f" ] || continue
        [ -e "$out/$d/$(basename "$f")" ] || stale+=("$d/$(basename "$f") (no such lesson)")
    done
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
for d in docs/lessons docs/lessons/ko; do
    mkdir -p "$root/$d"
    for f in "$root/$d"/*.md; do
        [ -e "$f" ] && [ ! -e "$out/$d/$(basename "$f")" ] && rm -f "$f"
    done
    cp "$out/$d"/*.md "$root/$d/"
done
cp "$out/README.md" "$root/README.md"
echo "docs: ${#stale[@]} file(s) updated from the lessons' text"
