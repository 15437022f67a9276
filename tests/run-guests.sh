#!/usr/bin/env bash
# Runs every guest test program twice: under `zum run` and bare (the program starts its own
# supervisor). A guest passes when it exits 0 both ways. Programs listed in EXPECT below exit
# with a specific status instead.
set -u
ZUM=${ZUM:?} GUESTS=${GUESTS:?}
fail=0 n=0
declare -A EXPECT=(
)
for g in "$GUESTS"/*; do
  [ -x "$g" ] && [ -f "$g" ] || continue
  name=$(basename "$g")
  want=${EXPECT[$name]:-0}
  for mode in zum bare; do
    n=$((n + 1))
    if [ $mode = zum ]; then out=$(timeout 60 "$ZUM" run "$g" 2>&1); rc=$?
    else out=$(timeout 60 "$g" 2>&1); rc=$?; fi
    if [ "$rc" != "$want" ]; then
      echo "FAIL: $name ($mode): exit $rc, expected $want"
      printf '%s\n' "$out" | sed 's/^/    /'
      fail=$((fail + 1))
    else
      echo "PASS: $name ($mode)"
    fi
  done
done
echo "$((n - fail))/$n guest runs passed"
[ "$fail" = 0 ]
