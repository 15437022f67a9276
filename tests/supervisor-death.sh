#!/usr/bin/env bash
# No orphans: when the supervisor dies, its guests die too.
#  - under `zum run`, guests have PR_SET_PDEATHSIG and die with zum at once;
#  - in bare mode the supervisor is the program's child: zum's reaper kills the program, or
#    its next Zircon call traps first.
set -u
ZUM=${ZUM:?} HELPERS=${ZUM_HELPERS:?}
fail=0
# A zombie counts as gone: it is dead, and reaping an orphan is init's business (which may be
# slow on a loaded machine).
alive() { # pid
  local state
  state=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
wait_gone() { # pid, seconds
  for _ in $(seq 1 $(($2 * 20))); do alive "$1" || return 0; sleep 0.05; done
  return 1
}

fifo=$(mktemp -u); mkfifo "$fifo"
"$ZUM" run "$HELPERS/sleeper" >"$fifo" 2>/dev/null &
zum_pid=$!
read -r guest <"$fifo"
kill -0 "$guest" 2>/dev/null || { echo "FAIL: guest not running"; fail=1; }
kill -9 "$zum_pid"
if wait_gone "$guest" 5; then echo "PASS: guest died with zum"; else echo "FAIL: guest $guest outlived zum"; kill -9 "$guest"; fail=1; fi
wait "$zum_pid" 2>/dev/null

"$HELPERS/sleeper" >"$fifo" 2>/dev/null &
guest=$!
read -r gpid <"$fifo"
sv=$(pgrep -P "$guest" | head -1)
if [ -z "$sv" ]; then echo "FAIL: no bare supervisor child"; fail=1; else
  [ "$(cat /proc/$sv/comm)" = zum-supervisor ] || { echo "FAIL: supervisor comm is $(cat /proc/$sv/comm)"; fail=1; }
  kill -9 "$sv"
  if wait_gone "$guest" 5; then echo "PASS: bare guest died with its supervisor"; else echo "FAIL: bare guest outlived its supervisor"; kill -9 "$guest"; fail=1; fi
  wait "$guest" 2>/dev/null; rc=$?
  # SIGILL from the vDSO's ud2: 128 + 4.
  [ "$rc" = 132 ] || [ "$rc" = 137 ] || { echo "FAIL: bare guest exit status $rc, expected 132 (SIGILL) or 137 (SIGKILL)"; fail=1; }
fi
# And the other way round: a bare guest that exits takes its supervisor with it.
"$HELPERS/sleeper" >"$fifo" 2>/dev/null &
guest=$!
read -r gpid <"$fifo"
sv=$(pgrep -P "$guest" | head -1)
kill -9 "$guest"; wait "$guest" 2>/dev/null
if [ -z "$sv" ]; then echo "FAIL: no bare supervisor child found"; fail=1
elif wait_gone "$sv" 5; then echo "PASS: bare supervisor exits with its guest"
else echo "FAIL: bare supervisor $sv outlived its guest: $(cat /proc/$sv/stat 2>/dev/null)"; fail=1; fi
rm -f "$fifo"
exit $fail
