#!/usr/bin/env bash
# A file from common/pcapng.c opens in tshark, which shows both packets, their time stamps, the
# interface's name and snap length, and the first packet's two comments.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd tshark
"${1:?usage: readable_by_tshark.sh TEST_PCAPNG}" write "$TMP/t.pcapng" || fail "the writer failed"
n=$(tshark -r "$TMP/t.pcapng" 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "tshark read $n packets, expected 2"
c=$(tshark -r "$TMP/t.pcapng" -Y 'frame.number == 1' -T fields -e frame.comment 2>/dev/null)
case $c in *"SO_LINGER{1,0} returned after 0.03 ms"*"recv() failed"*) ;; *) fail "comments read back as: $c";; esac
t=$(tshark -r "$TMP/t.pcapng" -Y 'frame.number == 1' -T fields -e frame.time_epoch 2>/dev/null)
case $t in 1700000000.123456*) ;; *) fail "time stamp read back as $t";; esac
capinfos "$TMP/t.pcapng" 2>/dev/null | grep -q "pcapng" || fail "capinfos does not see pcapng"
pass "tshark reads both packets, the time stamp and both comments"
