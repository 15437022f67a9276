#!/usr/bin/env bash
# `zum run --seed=N` (and ZUM_SEED=N for bare programs) makes layouts reproducible; without a
# seed, placement is randomised.
set -u
ZUM=${ZUM:?} HELPERS=${ZUM_HELPERS:?}
fail=0
a=$("$ZUM" run --seed=42 "$HELPERS/layout") || fail=1
b=$("$ZUM" run --seed=42 "$HELPERS/layout") || fail=1
c=$(ZUM_SEED=42 "$HELPERS/layout") || fail=1
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ] || { echo "FAIL: seeded layouts differ: '$a' '$b' '$c'"; fail=1; }
# Unseeded: at least two of five runs differ (30 bits of entropy).
declare -A seen=()
for _ in 1 2 3 4 5; do seen["$("$ZUM" run "$HELPERS/layout")"]=1; done
[ "${#seen[@]}" -ge 2 ] || { echo "FAIL: unseeded layouts never change"; fail=1; }
"$ZUM" run --seed=x "$HELPERS/layout" >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: bad --seed accepted"; fail=1; }
[ $fail = 0 ] && echo "PASS: seed"
exit $fail
