#!/usr/bin/env bash
# socklab run close-graceful --step under a pseudo-terminal: before each action of each side it
# says what is about to happen and what to watch, and goes on only when Enter is pressed; the run
# then passes with the same checks as a run without steps. --step-delay goes on by itself. --step
# is refused for compare (one lesson at a time).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd python3 jq
"$SOCKLAB" run close-graceful --json --quiet > "$TMP/plain.json" || fail "the plain run failed"
python3 - "$SOCKLAB" "$TMP" <<'PY' || fail "the terminal session failed"
import os, pty, select, sys, time
socklab, tmp = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    out = os.open(tmp + "/step.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.execv(socklab, [socklab, "run", "close-graceful", "--step", "--json", "--quiet"])
seen, buf, deadline = 0, b"", time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
    while b"(Enter: go on" in buf:                  # a prompt: look, then press Enter
        head, buf = buf.split(b"(Enter: go on", 1)
        if b"watch in Wireshark:" not in head:
            sys.exit("a step without what to watch: " + head.decode(errors="replace"))
        seen += 1
        time.sleep(0.05)
        os.write(fd, b"\n")
_, status = os.waitpid(pid, 0)
open(tmp + "/steps", "w").write(str(seen))
sys.exit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else 1)
PY
steps=$(cat "$TMP/steps")
[ "$steps" -ge 6 ] || fail "only $steps steps were offered"
assert_report "$TMP/step.json" close-graceful 0
[ "$(jq -c '[.checks[].id]' "$TMP/step.json")" = "$(jq -c '[.checks[].id]' "$TMP/plain.json")" ] ||
    fail "stepping changed the checks"
"$SOCKLAB" run close-graceful --step-delay 30 --json > "$TMP/d.json" 2> "$TMP/d.err" < /dev/null || fail "--step-delay failed"
[ "$(grep -c '^step ' "$TMP/d.err")" = "$steps" ] || fail "--step-delay made $(grep -c '^step ' "$TMP/d.err") steps, Enter $steps"
"$SOCKLAB" compare close-graceful close-abortive --step > /dev/null 2> "$TMP/c.err"; rc=$?
[ $rc = 2 ] && grep -q "one lesson at a time" "$TMP/c.err" || fail "compare --step: exit $rc, $(cat "$TMP/c.err")"
pass "$steps steps, each with what to watch, under a terminal; the same checks pass; --step-delay goes on by itself"
