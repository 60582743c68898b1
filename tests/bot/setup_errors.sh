#!/usr/bin/env bash
# setup_errors.sh CASE: a bot run that measured nothing about a server is a setup error, not a load
# result: one line on stderr naming the cause (--quiet: no progress line), nothing on stdout (no
# "0 connected" table, no "first reply" from an echo of our own HELLO), exit status 2.
#   no_server         --count 5 against a port nothing listens on: refused
#   unreachable_host  a host that never answers: an address on a veth link in a network namespace
#                     the test makes (198.18.7.0/24; nobody answers ARP), connect timing out
#   echo_server       game bots against socklab-server --proto echo (its default): HELLO comes back
#   game_server       echo bots against socklab-server --proto game: an ERROR frame comes back
#   no_lesson_server  socklab-bot --lesson against a port nothing listens on
. "$SOCKLAB_TESTS/lib.sh"


case $1 in
no_server)
    port=$(free_port)
    timeout 20 "$BOT" --count 5 --duration 1 --port "$port" --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "no server" "^socklab-bot: no server at 127.0.0.1:$port: connection refused" ;;
unreachable_host)
    need_root "a network namespace with a link that answers nobody"
    NS=socklab-bot-unreach-$$
    ip netns add "$NS" || fail "ip netns add $NS"
    trap 'ip netns del "$NS" 2>/dev/null; cleanup' EXIT
    ip -n "$NS" link set lo up
    # a veth pair inside the namespace, one end addressed: nobody answers ARP for .2
    ip -n "$NS" link add sl-a type veth peer name sl-b || fail "ip link add veth"
    ip -n "$NS" addr add 198.18.7.1/24 dev sl-a
    ip -n "$NS" link set sl-a up
    ip -n "$NS" link set sl-b up
    timeout 20 ip netns exec "$NS" "$BOT" --host 198.18.7.2 --count 3 --duration 1 --connect-timeout-ms 500 --quiet \
        > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "an unreachable host" "^socklab-bot: cannot reach 198.18.7.2:7007: .*(not completed within 500 ms|EHOSTUNREACH)" ;;
echo_server)
    start_server --proto echo
    timeout 20 "$BOT" --port "$SERVER_PORT" --count 5 --duration 1 --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "game bots, echo server" "does not speak game: it sent the bots' HELLO back: an echo server" ;;
game_server)
    start_server --proto game
    timeout 20 "$BOT" --port "$SERVER_PORT" --proto echo --count 5 --duration 1 --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "echo bots, game server" "does not speak echo: it answered with a game ERROR frame: a game server" ;;
no_lesson_server)
    port=$(free_port)
    timeout 20 "$BOT" --port "$port" --lesson close-graceful --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "no lesson server" "lesson close-graceful at 127.0.0.1:$port: no lesson server answers \(.*ECONNREFUSED.*\): start socklab-server --lesson close-graceful" ;;
*) fail "unknown case $1" ;;
esac
