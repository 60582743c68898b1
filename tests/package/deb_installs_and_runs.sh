#!/usr/bin/env bash
# The Debian package CPack makes from this build: it unpacks into a clean directory with the three
# programs, the Wireshark dissector and one handout per lesson; its dependencies are declared; and
# the unpacked socklab lists the same lessons as the build's.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd cpack dpkg-deb
cpack --config "$BIN/CPackConfig.cmake" -G DEB -B "$TMP/pkg" > "$TMP/cpack.log" 2>&1 || fail "cpack failed: $(tail -5 "$TMP/cpack.log")"
deb=$(ls "$TMP"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb made: $(tail -5 "$TMP/cpack.log")"
mkdir "$TMP/root"
dpkg-deb -x "$deb" "$TMP/root" || fail "dpkg-deb could not unpack $deb"
for f in usr/bin/socklab usr/bin/socklab-server usr/bin/socklab-bot usr/share/socklab/wireshark/socklab.lua; do
    [ -e "$TMP/root/$f" ] || fail "the package lacks $f"
done
lessons=$("$SOCKLAB" list | wc -l)
handouts=$(ls "$TMP"/root/usr/share/doc/socklab/handouts/*.md | wc -l)
[ "$handouts" = "$lessons" ] || fail "$handouts handouts for $lessons lessons"
handouts_ko=$(ls "$TMP"/root/usr/share/doc/socklab/handouts/ko/*.md | grep -vc '/README.md$')
[ "$handouts_ko" = "$lessons" ] || fail "$handouts_ko Korean handouts for $lessons lessons"
[ "$("$TMP/root/usr/bin/socklab" list)" = "$("$SOCKLAB" list)" ] || fail "the installed socklab lists other lessons"
dpkg-deb -I "$deb" | grep -q "Depends:.*libevent-core" || fail "the package declares no dependency on libevent"
pass "$(basename "$deb"): 3 programs, the dissector, $handouts handouts (and in Korean); the installed socklab works"
