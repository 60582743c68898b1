#!/usr/bin/env bash
# Every text the programs print through the catalog (T(), cli_fail, --help) has its Korean, with
# the same printf conversions in the same order; the catalog holds nothing unused.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd python3
python3 "$SOCKLAB_TESTS/repo/korean_catalog.py" "$SOCKLAB_TESTS/.." || fail "the Korean catalog is incomplete (above)"
pass "every catalog text has its Korean"
