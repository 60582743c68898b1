#!/usr/bin/env bash
# A plain user gets the impairment lab too, through a user namespace (where the system allows it):
# keepalive run as 'nobody' enters the lab and passes every check, the vanished peer included.
. "$SOCKLAB_TESTS/lib.sh"
need_root "switching to the user nobody"
need_cmd setpriv
setpriv --reuid=nobody --regid=nogroup --clear-groups "$SOCKLAB" run keepalive --json --quiet > "$TMP/r.json" 2> "$TMP/err"
rc=$?
if grep -q "no private network namespace" "$TMP/err"; then
    skip "this system forbids unprivileged user namespaces: $(cat "$TMP/err")"
fi
assert_report "$TMP/r.json" keepalive "$rc"
[ "$(jget "$TMP/r.json" '.facts.vanished.error')" = ETIMEDOUT ] || fail "the vanished part did not run as a plain user"
jget "$TMP/r.json" .lab.watch | grep -q '^sudo nsenter' || fail "the watch hint for a plain user should use sudo"
pass "a plain user ran keepalive in the impairment lab: $(jget "$TMP/r.json" '.lab.applied | length') rule(s) applied"
