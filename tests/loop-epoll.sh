#!/usr/bin/env bash
# The supervisor's event loop polls seccomp listeners directly (host/sv/loop.c); with ZUM_LOOP=epoll,
# and past 128 processes, listeners sit in the epoll set instead. These guests (calls, channels
# between processes, address-space work, threads, pure processes) run once more on that path,
# under `zum run`.
set -u
ZUM=${ZUM:?} GUESTS=${GUESTS:?}
export ZUM_LOOP=epoll
fail=0 n=0
for name in basic channel vmar task_threads mini_process vmo_cow_proc; do
  g=$GUESTS/$name
  n=$((n + 1))
  if [ ! -x "$g" ]; then
    echo "FAIL: $name: not built"
    fail=$((fail + 1))
    continue
  fi
  out=$(timeout 120 "$ZUM" run "$g" 2>&1)
  rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAIL: $name (ZUM_LOOP=epoll): exit $rc"
    printf '%s\n' "$out" | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $name (ZUM_LOOP=epoll)"
  fi
done
echo "$((n - fail))/$n runs passed"
[ "$fail" = 0 ]
