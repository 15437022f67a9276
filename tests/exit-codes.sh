#!/usr/bin/env bash
# `zum run PROGRAM` exits with PROGRAM's Zircon return code: 0-255 as they are, anything else
# (negative codes, the ZX_TASK_RETCODE_* kills, ZUM_TASK_RETCODE_SIGNAL_KILL for a process a
# Linux signal killed) as 255 with a message naming the code.
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
# zum's private call for pure processes' stubs is an invalid system call for a hosted program.
expect 255 "not available to this kind of process (ZX_EXCP_POLICY_CODE_BAD_SYSCALL)" -- \
  "$ZUM" run "$H" purecall
expect 127 "cannot start /nonexistent" -- "$ZUM" run /nonexistent
expect 127 "cannot start" -- "$ZUM" run /proc/self/status
# Bare runs exit the ordinary Linux way.
expect 7 "" -- "$H" exit 7

# A process a Linux signal kills from outside (kill -9) has return code
# ZUM_TASK_RETCODE_SIGNAL_KILL(9) = -4105, never 0: zum run reports it and exits 255. The first
# process itself (a hosted program), and a pure process (FUCHSIA's fault.elf in its sleeping
# mode), whose code reaches zum run through zum-launch.
# killed COMM READY -- COMMAND...: runs COMMAND in the background, kills its descendant named
# COMM once its output has a line READY (if not empty).
killed() {
  local comm=$1 ready=$2
  shift 3
  n=$((n + 1))
  local err=$tmp/err.$n out=$tmp/out.$n
  "$@" >"$out" 2>"$err" &
  local zpid=$! pid= d i
  for i in $(seq 300); do
    for d in /proc/[1-9]*; do
      [ "$(cat "$d/comm" 2>/dev/null)" = "$comm" ] || continue
      # a descendant of this zum (its stat's 4th field is the parent)
      local pp
      pp=$(awk '{ print $4 }' "$d/stat" 2>/dev/null)
      if [ "$pp" = "$zpid" ] || [ "$(awk '{ print $4 }' "/proc/$pp/stat" 2>/dev/null)" = "$zpid" ]; then
        pid=${d#/proc/}
        break 2
      fi
    done
    sleep 0.1
  done
  if [ -n "$pid" ] && [ -n "$ready" ]; then
    for i in $(seq 300); do
      grep -qx -- "$ready" "$out" && break
      sleep 0.1
    done
  fi
  [ -n "$pid" ] && sleep 0.2 && kill -KILL "$pid"
  local rc
  wait "$zpid"
  rc=$?
  if [ -z "$pid" ]; then
    echo "FAIL: $*: no process named $comm appeared"
    fail=$((fail + 1))
  elif [ "$rc" != 255 ] ||
      ! grep -q 'return code -4105 (ZUM_TASK_RETCODE_SIGNAL_KILL: killed by Linux signal 9' "$err"; then
    echo "FAIL: $* (kill -9 of $comm): exit $rc, expected 255 and the SIGNAL_KILL message"
    sed 's/^/    /' "$err"
    fail=$((fail + 1))
  else
    echo "PASS: $* (kill -9 of $comm) -> $rc, $(grep -o 'return code.*' "$err")"
  fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-exit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
killed task_helper "" -- "$ZUM" run "$H" block
if [ -n "${FUCHSIA:-}" ] && [ -f "$FUCHSIA/fault.elf" ]; then
  cp "$FUCHSIA/fault.elf" "$tmp/sleeper.elf"
  killed sleeper.elf ready -- "$ZUM" run "$tmp/sleeper.elf" maps
else
  echo "note: no Fuchsia test programs (clang); not killing a pure process"
fi

echo "$((n - fail))/$n exit-code checks passed"
[ "$fail" = 0 ]
