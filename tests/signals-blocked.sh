#!/usr/bin/env bash
# A guest parked in zx_object_wait_one (no deadline) stays stoppable and debuggable: it is
# stopped and continued, `gdb -p` attaches to it, shows the wait in its backtrace and detaches
# (skipped without gdb, or where ptrace is not allowed); the wait goes on each time. Then its
# SIGUSR1 handler, installed without SA_RESTART, signals the event with a Zircon call: the
# interrupted wait must return ZX_OK (tests/helpers/blocker.c).
set -u
ZUM=${ZUM:?} ZUM_HELPERS=${ZUM_HELPERS:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-blocked.XXXXXX")
zum_pid=
cleanup() {
  [ -n "$zum_pid" ] && kill -KILL "$zum_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  sed 's/^/    /' "$tmp/out"
  exit 1
}
"$ZUM" run "$ZUM_HELPERS/blocker" >"$tmp/out" 2>&1 &
zum_pid=$!
pid=
for _ in $(seq 600); do
  pid=$(head -n1 "$tmp/out" 2>/dev/null)
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && break
  pid=
  kill -0 "$zum_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$pid" ] || fail "the blocker did not start"
# Parked in the supervisor: the trap is a seccomp user notification.
blocked() { grep -q seccomp "/proc/$pid/wchan" 2>/dev/null; }
for _ in $(seq 600); do blocked && break; sleep 0.05; done
blocked || fail "the blocker is not waiting in its trap"
for _ in $(seq 200); do kill -STOP "$pid"; kill -CONT "$pid"; done
if command -v gdb >/dev/null 2>&1; then
  gdb -p "$pid" -batch -ex 'thread apply all bt' >"$tmp/gdb" 2>&1
  if grep -q 'zx_object_wait_one' "$tmp/gdb"; then
    echo "gdb -p: attached, the wait is in the backtrace"
  elif grep -qiE 'ptrace: Operation not permitted|could not attach' "$tmp/gdb"; then
    echo "gdb -p: not permitted here (ptrace), part skipped"
  else
    sed 's/^/    gdb: /' "$tmp/gdb"
    fail "gdb -p did not show the wait"
  fi
else
  echo "gdb not installed: that part skipped"
fi
for _ in $(seq 600); do blocked && break; sleep 0.05; done
blocked || fail "the wait did not go on after the stops"
grep -q '^woken' "$tmp/out" && fail "the wait ended before it was signaled"
kill -USR1 "$pid"
wait "$zum_pid"
rc=$?
zum_pid=
[ "$rc" = 0 ] && grep -q '^woken: ok$' "$tmp/out" || fail "exit $rc"
echo "PASS: a parked wait survives stops and gdb, and a handler's call completes it once"
