#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson idle-timeout-middlebox: every check passes; then, independently of its report, tcpdump
# inside the run's network namespace and its conntrack table, read from outside every 0.1 s
# (/proc/PID/net/nf_conntrack), show for each connection, after the first echo and the silence:
#   vanished      the entry gone about CT_TIMEOUT_S after the echo; the request sent again and again
#                 (as often as TCP_INFO counted), the gaps doubling, the server silent
#   user_timeout  the same, then nothing more from the client: no RST
#   reset         an RST in the server's name at once, the request never sent again
#   keepalive     probes answered during the silence, the entry present throughout and refreshed by
#                 them; the request echoed
#   rebalanced    the request sent to 127.0.0.2 (the other backend), an RST back in the server's name
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
CT_TIMEOUT_S=2
# the lab's conntrack table while the lesson runs: "epoch -" per poll, "epoch client_port secs_left"
# per entry of a connection to the lesson's port
poll_conntrack() {
    local t
    while kill -0 "$1" 2>/dev/null; do
        t=$(date +%s.%N)
        awk -v t="$t" -v d="dport=$PORT " '$3 == "tcp" && index($0, d) {
            for (i = 1; i <= NF; i++) if ($i ~ /^sport=/) { print t, substr($i, 7), $5; break } }' \
            "/proc/$1/net/nf_conntrack" 2>/dev/null
        echo "$t -"
        sleep 0.1
    done
}
LAB_WATCH() { [ "$(id -u)" = 0 ] && bg conntrack poll_conntrack "$LAB_PID"; }
run_lesson_lab idle-timeout-middlebox
assert_report "$TMP/r.json" idle-timeout-middlebox "$RC"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 5 ] || fail "the report shows fewer than 5 lab steps"
need_wire idle-timeout-middlebox
wait "$BG_PID" 2>/dev/null
[ "$(grep -c ' -$' "$TMP/conntrack.out")" -gt 50 ] || fail "conntrack: too few polls of the lab's table"

# segs C FILE: connection C as "epoch from len flags seq dst" (from = c or s, seq "a:b" or "-")
segs() {
    conn "$1" | awk -v p=".$PORT:" '{ from = index($5, p) ? "c" : "s"
        n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
        match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
        sq = "-"; if (match($0, /seq [0-9]+:[0-9]+/)) sq = substr($0, RSTART + 4, RLENGTH - 4)
        print $1, from, n + 0, fl, sq, $5 }' > "$2"
    [ -s "$2" ] || fail "wire: no segments of client port $1"
}
# the first echo (server data) and the request after the silence (client data more than 2 s later)
times() {
    awk '$2 == "s" && $3 > 0 { print $1; exit }' "$1"
    awk '$2 == "s" && $3 > 0 && !e { e = $1 } e && $2 == "c" && $3 > 0 && $1 - e > 2 { print $1; exit }' "$1"
}
# present C FROM TO: in how many polls within (FROM, TO) the entry of C was there, of how many
present() {
    awk -v c="$1" -v a="$2" -v b="$3" '$1 > a && $1 < b { if ($2 == "-") polls++; else if ($2 == c) n++ }
        END { print n + 0, polls + 0 }' "$TMP/conntrack.out"
}

for v in vanished user_timeout reset keepalive rebalanced; do
    segs "$(f $v.client_port)" "$TMP/$v"
    { read -r e; read -r q; } < <(times "$TMP/$v")
    [ -n "$q" ] || fail "wire: $v: no request after the silence"
    eval "E_$v=$e Q_$v=$q"
    awk -v e="$e" -v q="$q" 'BEGIN { exit !(q - e > 2.5) }' || fail "wire: $v: the silence was shorter than 2.5 s"
    # after the request: "secs-after-request from len flags seq dst"
    awk -v q="$q" '$1 >= q { printf "%.3f %s %s %s %s %s\n", $1 - q, $2, $3, $4, $5, $6 }' "$TMP/$v" > "$TMP/$v.after"
    note "wire: $v: $(awk '$1 < 4 { printf "%s%s %s%s; ", $2, $1, $4, ($3 ? " len " $3 : "") }' "$TMP/$v.after")"
done

# vanished: the middlebox's entry gone at about its timeout after the echo, before the request
read -r n polls < <(present "$(f vanished.client_port)" "$E_vanished" "$(awk -v e="$E_vanished" 'BEGIN { printf "%.6f", e + 1.5 }')")
[ "$n" -ge 1 ] && [ "$n" = "$polls" ] || fail "conntrack: vanished: the entry missing in the first 1.5 s ($n of $polls polls)"
read -r n polls < <(present "$(f vanished.client_port)" "$(awk -v e="$E_vanished" 'BEGIN { printf "%.6f", e + 2.4 }')" "$Q_vanished")
[ "$polls" -ge 1 ] && [ "$n" = 0 ] || fail "conntrack: vanished: the entry still there 2.4 s after the echo ($n of $polls polls)"
# ... and the request sent again and again, as often as TCP_INFO counted, the gaps doubling, no answer
tx=$(awk '$2 == "c" && $3 > 0 && $1 < 2 { if (s == "") s = $5; if ($5 == s) print $1 }' "$TMP/vanished.after")
[ "$(($(echo "$tx" | wc -l) - 1))" = "$(f vanished.retransmissions)" ] ||
    fail "wire: vanished: $(($(echo "$tx" | wc -l) - 1)) retransmissions in 2 s, TCP_INFO counted $(f vanished.retransmissions)"
echo "$tx" | awk 'NR > 1 { g = $1 - p; if (NR > 3 && (g < 1.6 * pg || g > 2.5 * pg)) bad = 1; pg = g } { p = $1 }
    END { exit bad }' || fail "wire: vanished: the retransmission gaps do not double ($(echo $tx))"
[ "$(awk '$2 == "s" && $1 < 2' "$TMP/vanished.after" | wc -l)" = 0 ] || fail "wire: vanished: the server answered"

# user_timeout: nothing from the client once its recv() failed, no RST - until the run ends and the
# server's zombie closes: its FIN reaches the client's host, whose kernel answers RST
ut=$(f user_timeout.answer_after_ms)
awk '$2 == "s" { exit } { print }' "$TMP/user_timeout.after" > "$TMP/ut.client"
[ "$(awk -v u="$ut" '$1 > u / 1000 || $4 ~ /R/' "$TMP/ut.client" | wc -l)" = 0 ] ||
    fail "wire: user_timeout: the client sent something after its ETIMEDOUT at $ut ms, or an RST"
[ "$(wc -l < "$TMP/ut.client")" -ge 4 ] || fail "wire: user_timeout: the request was not retransmitted"

# reset: the RST in the server's name at once; the request never sent again
awk '$2 == "s" && $4 ~ /R/ { exit !($1 < 0.05) } END { if (NR == 0) exit 1 }' "$TMP/reset.after" ||
    fail "wire: reset: no RST from the server's port within 50 ms of the request"
[ "$(awk '$2 == "c" && $3 > 0' "$TMP/reset.after" | wc -l)" = 1 ] || fail "wire: reset: the request was sent again"

# keepalive: probes during the silence, each answered; the entry there in every poll, refreshed by them
probes=$(awk -v e="$E_keepalive" -v q="$Q_keepalive" '$1 > e + 0.5 && $1 < q && $2 == "c" && $3 == 0 && $4 == "."' "$TMP/keepalive" | wc -l)
answered=$(awk -v e="$E_keepalive" -v q="$Q_keepalive" '$1 > e + 0.5 && $1 < q { if ($2 == "c" && $3 == 0) { t = $1; w = 1 }
    else if (w && $2 == "s" && $1 - t < 0.1) { n++; w = 0 } } END { print n + 0 }' "$TMP/keepalive")
[ "$probes" -ge 2 ] && [ "$answered" = "$probes" ] || fail "wire: keepalive: $answered of $probes probes answered"
read -r n polls < <(present "$(f keepalive.client_port)" "$E_keepalive" "$Q_keepalive")
[ "$polls" -ge 20 ] && [ "$n" = "$polls" ] || fail "conntrack: keepalive: the entry missing ($n of $polls polls)"
# ... past the idle timeout after the last data: only the probes can have kept it
read -r n polls < <(present "$(f keepalive.client_port)" "$(awk -v e="$E_keepalive" -v t=$CT_TIMEOUT_S 'BEGIN { printf "%.6f", e + t + 0.3 }')" "$Q_keepalive")
[ "$polls" -ge 1 ] && [ "$n" = "$polls" ] || fail "conntrack: keepalive: the entry missing past the idle timeout ($n of $polls polls)"
awk '$2 == "s" && $3 > 0 { f = 1 } END { exit !f }' "$TMP/keepalive.after" || fail "wire: keepalive: the request was not echoed"

# rebalanced: the request leaves for the other backend; an RST comes back in the server's name
awk '$2 == "c" && $3 > 0 { exit !($6 ~ /^127\.0\.0\.2\./) }' "$TMP/rebalanced.after" ||
    fail "wire: rebalanced: the request did not go to 127.0.0.2"
awk '$2 == "s" && $4 ~ /R/ { exit !($1 < 0.05) } END { if (NR == 0) exit 1 }' "$TMP/rebalanced.after" ||
    fail "wire: rebalanced: no RST within 50 ms of the request"
pass "idle-timeout-middlebox: checks, the capture and the lab's conntrack table agree (vanished: entry gone," \
     "$(f vanished.retransmissions) retransmissions; reset and rebalanced: RST at once; keepalive: $probes probes, entry kept)"
