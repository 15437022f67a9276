#!/usr/bin/env bash
# A pure process stopped and continued from outside (SIGSTOP/SIGCONT, tests/helpers/stopper)
# while it makes 22,500 Zircon calls (tests/fuchsia/sigloop.c): it must end with every call's
# status right and every message and packet seen exactly once. Pure processes have no signal
# handlers; Linux restarts each interrupted trap, also one whose answer was already sent.
# Skips (77) when the Fuchsia-target programs were not built (no clang or ld.lld).
set -u
ZUM=${ZUM:?} FUCHSIA=${FUCHSIA:?}
STOPPER=${STOPPER:-${ZUM_HELPERS:?}/stopper}
if [ ! -f "$FUCHSIA/sigloop.elf" ]; then
  echo "SKIP: $FUCHSIA/sigloop.elf was not built (needs clang and ld.lld)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-sig.XXXXXX")
zum_pid=
cleanup() {
  [ -n "$zum_pid" ] && kill -KILL "$zum_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# The process is named after its file: a name of its own finds it in /proc.
name=sig$$.elf
name=${name:0:15}
cp "$FUCHSIA/sigloop.elf" "$tmp/$name"
"$ZUM" run "$tmp/$name" >"$tmp/out" 2>&1 &
zum_pid=$!
find_comm() {
  local d c
  for d in /proc/[1-9]*; do
    c=$(cat "$d/comm" 2>/dev/null) || continue
    [ "$c" = "$1" ] && { echo "${d#/proc/}"; return; }
  done
}
pid=
for _ in $(seq 600); do
  grep -q '^ready$' "$tmp/out" && pid=$(find_comm "$name") && [ -n "$pid" ] && break
  kill -0 "$zum_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$pid" ]; then
  echo "FAIL: the pure process did not get ready"
  sed 's/^/    /' "$tmp/out"
  exit 1
fi
stops=$("$STOPPER" "$pid")
wait "$zum_pid"
rc=$?
zum_pid=
if [ "$rc" != 0 ] || ! grep -q '^sigloop: ok$' "$tmp/out"; then
  echo "FAIL: exit $rc after $stops stops"
  sed 's/^/    /' "$tmp/out"
  exit 1
fi
echo "PASS: sigloop.elf, stopped and continued $stops times"
