#!/usr/bin/env bash
# --capture without the right to capture (a plain user): one line says so and what would make it
# work, the lesson still runs and passes, and no file is left behind.
. "$SOCKLAB_TESTS/lib.sh"
need_root "switching to the user nobody"
need_cmd setpriv
dir=$(mktemp -d /tmp/socklab-cap.XXXXXX); chmod 777 "$dir"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$SOCKLAB" run close-graceful --quiet --capture "$dir/x.pcapng" \
    > "$TMP/out" 2> "$TMP/err"
rc=$?
cat "$TMP/err"
[ "$rc" = 0 ] || { rm -rf "$dir"; fail "the lesson did not run to a pass without the capture (exit $rc)"; }
[ "$(wc -l < "$TMP/err")" = 1 ] && grep -q "not permitted.*root or CAP_NET_RAW" "$TMP/err" || { rm -rf "$dir"; fail "no one-line reason"; }
[ ! -e "$dir/x.pcapng" ] || { rm -rf "$dir"; fail "an empty capture file was left"; }
rm -rf "$dir"
pass "without permission: one line, the lesson runs, no file"
