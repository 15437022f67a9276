#!/usr/bin/env bash
# `zum run PROGRAM` exits with PROGRAM's Zircon return code: 0-255 as they are, anything else
# (negative codes, the ZX_TASK_RETCODE_* kills) as 255 with a message naming the code.
set -u
ZUM=${ZUM:?} ZUM_HELPERS=${ZUM_HELPERS:?}
H=$ZUM_HELPERS/task_helper
fail=0 n=0

# expect STATUS STDERR-PATTERN (or "") -- COMMAND...
expect() {
  local want=$1 pattern=$2
  shift 3
  n=$((n + 1))
  local err rc
  err=$(timeout 60 "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL: $*: exit $rc, expected $want"
    printf '%s\n' "$err" | sed 's/^/    /'
    fail=$((fail + 1))
  elif [ -n "$pattern" ] && ! printf '%s\n' "$err" | grep -q -- "$pattern"; then
    echo "FAIL: $*: stderr lacks '$pattern'"
    printf '%s\n' "$err" | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $* -> $rc"
  fi
}

expect 0 "" -- "$ZUM" run "$H" exit 0
expect 7 "" -- "$ZUM" run "$H" exit 7
expect 255 "" -- "$ZUM" run "$H" exit 255
expect 200 "" -- "$ZUM" run "$H" zxexit 200
expect 255 "return code -5" -- "$ZUM" run "$H" zxexit -5
expect 255 "return code 256" -- "$ZUM" run "$H" zxexit 256
expect 255 "ZX_TASK_RETCODE_SYSCALL_KILL" -- "$ZUM" run "$H" killself
expect 255 "ZX_TASK_RETCODE_EXCEPTION_KILL" -- "$ZUM" run "$H" segv
expect 127 "cannot start /nonexistent" -- "$ZUM" run /nonexistent
expect 127 "cannot start" -- "$ZUM" run /proc/self/status
# Bare runs exit the ordinary Linux way.
expect 7 "" -- "$H" exit 7

echo "$((n - fail))/$n exit-code checks passed"
[ "$fail" = 0 ]
