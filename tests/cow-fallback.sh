#!/usr/bin/env bash
# The copy-on-write guests again with ZUM_NO_UFFD=1: the supervisor then ignores the guests'
# userfaultfd and maps copy-on-write children with its eager fallback (every page of the mapped
# range that holds data copied when the mapping is made). Results must be the same as on the
# userfaultfd path, which tests/run-guests.sh covers; the guests read ZUM_NO_UFFD to know which
# committed sizes to expect (tests/guests/cow_util.h). Each guest runs under `zum run` and bare.
set -u
ZUM=${ZUM:?} GUESTS=${GUESTS:?}
export ZUM_NO_UFFD=1
fail=0 n=0
for name in vmo_child vmo_cow_map vmo_cow_threads vmo_cow_proc; do
  g=$GUESTS/$name
  if [ ! -x "$g" ]; then
    echo "FAIL: $name: not built"
    fail=$((fail + 1))
    continue
  fi
  for mode in zum bare; do
    n=$((n + 1))
    if [ $mode = zum ]; then out=$(timeout 120 "$ZUM" run "$g" 2>&1); rc=$?
    else out=$(timeout 120 "$g" 2>&1); rc=$?; fi
    if [ "$rc" != 0 ]; then
      echo "FAIL: $name ($mode, ZUM_NO_UFFD=1): exit $rc"
      printf '%s\n' "$out" | sed 's/^/    /'
      fail=$((fail + 1))
    else
      echo "PASS: $name ($mode, ZUM_NO_UFFD=1)"
    fi
  done
done
echo "$((n - fail))/$n fallback runs passed"
[ "$fail" = 0 ]
