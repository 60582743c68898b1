#!/usr/bin/env bash
# docs/lessons/*.md and the README's table of lessons are generated from the lessons' own text
# (scripts/docs.sh, ./lab docs): a lesson's text changed without regenerating them fails here, so
# the text lives in the lesson file alone.
. "$SOCKLAB_TESTS/lib.sh"
out=$(bash "$SOCKLAB_TESTS/../scripts/docs.sh" --check "$BIN" 2>&1) || fail "$out"
pass "$out"
