#!/usr/bin/env bash
# The supervisor raises its descriptor limit (RLIMIT_NOFILE soft to hard) at start, so guests
# that exhaust VMOs or processes run out before it does; guests keep the limit zum was given.
set -u
ZUM=${ZUM:?} HELPERS=${ZUM_HELPERS:?}
fail=0
soft_of() { awk '/^Max open files/ {print $4}' "/proc/$1/limits"; }
hard_of() { awk '/^Max open files/ {print $5}' "/proc/$1/limits"; }
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && { echo "SKIP: no hard limit"; exit 77; }
low=$((hard < 256 ? hard : 256))
fifo=$(mktemp -u); mkfifo "$fifo"
(ulimit -Sn "$low" && exec "$ZUM" run "$HELPERS/sleeper") >"$fifo" 2>/dev/null &
zum_pid=$!
read -r guest <"$fifo"
if [ "$(soft_of "$zum_pid")" = "$(hard_of "$zum_pid")" ]; then
  echo "PASS: supervisor soft limit raised to its hard limit $(hard_of "$zum_pid")"
else
  echo "FAIL: supervisor limits $(soft_of "$zum_pid") / $(hard_of "$zum_pid")"; fail=1
fi
if [ "$(soft_of "$guest")" = "$low" ]; then echo "PASS: guest keeps soft limit $low"
else echo "FAIL: guest soft limit $(soft_of "$guest"), expected $low"; fail=1; fi
kill -9 "$zum_pid"; wait "$zum_pid" 2>/dev/null
rm -f "$fifo"
exit $fail
