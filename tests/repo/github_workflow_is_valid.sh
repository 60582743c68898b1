#!/usr/bin/env bash
# .github/workflows/ci.yml validates against GitHub's workflow schema (action-validator, installed by
# ./lab from the npm registry into ~/.cache/socklab/npm), and names the jobs users rely on: the
# Linux suite and the MSVC workflow preset.
. "$SOCKLAB_TESTS/lib.sh"
wf="$SOCKLAB_TESTS/../.github/workflows/ci.yml"
v=${SOCKLAB_ACTION_VALIDATOR:-$HOME/.cache/socklab/npm/node_modules/.bin/action-validator}
[ -x "$v" ] || skip "needs action-validator (./lab installs it with npm)"
out=$("$v" "$wf" 2>&1) || fail "the workflow is not valid: $out"
grep -q 'cmake --workflow --preset msvc' "$wf" || fail "the Windows job does not run the msvc workflow preset"
grep -q './lab test' "$wf" || fail "the Linux job does not run ./lab test"
grep -q '"name": "msvc"' "$SOCKLAB_TESTS/../CMakePresets.json" || fail "CMakePresets.json has no msvc preset"
pass "ci.yml is a valid workflow with the Linux suite and the MSVC workflow preset"
