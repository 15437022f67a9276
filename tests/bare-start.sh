#!/usr/bin/env bash
# A bare program (run without `zum`) starts the zum executable as its supervisor:
#  - the supervisor is $ZUM itself (not code inside libzum), named zum-supervisor, in the
#    internal --serve-bare mode, and inherits none of the program's fds but stdio;
#  - ZUM_SUPERVISOR overrides where it is found, and a bad one fails clearly;
#  - --serve-bare is internal: not in the usage text, refused when run by hand.
set -u
ZUM=${ZUM:?} HELPERS=${ZUM_HELPERS:?} GUESTS=${GUESTS:?}
fail=0
marker=$(mktemp)
fifo=$(mktemp -u); mkfifo "$fifo"
# fd 9 is open (not close-on-exec) in the program: the supervisor must not get it.
"$HELPERS/sleeper" >"$fifo" 2>/dev/null 9<"$marker" &
guest=$!
read -r _ <"$fifo"
sv=$(pgrep -P "$guest" | head -1)
if [ -z "$sv" ]; then echo "FAIL: no bare supervisor child"; fail=1; else
  [ "$(readlink -f "/proc/$sv/exe")" = "$(readlink -f "$ZUM")" ] ||
    { echo "FAIL: bare supervisor runs $(readlink "/proc/$sv/exe"), not $ZUM"; fail=1; }
  [ "$(cat "/proc/$sv/comm")" = zum-supervisor ] || { echo "FAIL: comm $(cat "/proc/$sv/comm")"; fail=1; }
  tr '\0' ' ' <"/proc/$sv/cmdline" | grep -Eq '^zum-supervisor --serve-bare=[0-9]+,'"$guest"' $' ||
    { echo "FAIL: supervisor command line: $(tr '\0' ' ' <"/proc/$sv/cmdline")"; fail=1; }
  for fd in /proc/"$sv"/fd/*; do
    [ "$(readlink "$fd")" = "$marker" ] && { echo "FAIL: supervisor inherited the program's fd ${fd##*/}"; fail=1; }
  done
  [ "$fail" = 0 ] && echo "PASS: bare supervisor is $ZUM as zum-supervisor, no stray fds"
fi
kill -9 "$guest"; wait "$guest" 2>/dev/null
rm -f "$fifo" "$marker"

out=$(ZUM_SUPERVISOR="$ZUM" "$GUESTS/basic" 2>&1) && echo "PASS: ZUM_SUPERVISOR=$ZUM" ||
  { echo "FAIL: basic with ZUM_SUPERVISOR=$ZUM"; sed 's/^/    /' <<<"$out"; fail=1; }
out=$(ZUM_SUPERVISOR=/nonexistent/zum "$GUESTS/basic" 2>&1) && rc=0 || rc=$?
if [ "$rc" = 127 ] && grep -q 'ZUM_SUPERVISOR' <<<"$out"; then echo "PASS: a bad ZUM_SUPERVISOR is named"
else echo "FAIL: bad ZUM_SUPERVISOR: exit $rc: $out"; fail=1; fi

"$ZUM" --help | grep -q serve-bare && { echo "FAIL: --serve-bare is in the usage text"; fail=1; }
out=$("$ZUM" --serve-bare=0,1 2>&1) && rc=0 || rc=$?
if [ "$rc" = 2 ] && grep -q internal <<<"$out"; then echo "PASS: --serve-bare refused by hand"
else echo "FAIL: zum --serve-bare by hand: exit $rc: $out"; fail=1; fi
exit $fail
