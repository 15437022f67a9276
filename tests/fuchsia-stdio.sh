#!/usr/bin/env bash
# stdio and the UTC clock of pure processes zum-launch starts (tests/fuchsia/stdio.c):
#   - fds 1 and 2 reach zum's stdout and stderr, each in order, all of it (more than any buffer),
#     including what was written right before the program exited or crashed;
#   - fd 0 carries zum's stdin from a pipe, a file and /dev/null, and EOF ends it;
#   - a program that never reads stdin, or closes it, does not hold zum-launch (an endless
#     stdin pipe);
#   - a closed stdout does not kill zum-launch (no SIGPIPE): the program finishes;
#   - zum started with fd 0 or 1 closed still runs the program (nothing else takes their place);
#   - PA_CLOCK_UTC is a read-only clock within seconds of the host's time.
# Skips (77) when the programs were not built (no clang or ld.lld).
set -u
ZUM=${ZUM:?} FUCHSIA=${FUCHSIA:?}
P=$FUCHSIA/stdio.elf
if [ ! -f "$P" ]; then
  echo "SKIP: $P was not built: building Fuchsia-target test programs needs clang and ld.lld (Debian packages clang, lld)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-stdio.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "PASS: $1"; }
bad() {
  echo "FAIL: $1"
  fail=$((fail + 1))
}
check() { # check NAME COMMAND...: the command's status decides
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

# ---- output: content and order per stream, nothing lost at exit
timeout 60 "$ZUM" run "$P" out >"$tmp/out" 2>"$tmp/err"
rc=$?
check "out: exit 0 (got $rc)" [ "$rc" = 0 ]
{
  for i in 1 2 3 4 5; do echo "out $i"; done
  for i in $(seq 2000); do printf '%099d\n' 0 | tr 0 x; done
  echo "out last"
} >"$tmp/want-out"
printf 'err %s\n' 1 2 3 4 5 last >"$tmp/want-err"
check "out: stdout is every line in order" cmp -s "$tmp/out" "$tmp/want-out"
check "out: stderr is every line in order" cmp -s "$tmp/err" "$tmp/want-err"

# A line written just before a fault still arrives.
timeout 60 "$ZUM" run "$P" crash >"$tmp/out" 2>"$tmp/err"
rc=$?
check "crash: exit 255 (got $rc)" [ "$rc" = 255 ]
check "crash: the line before the fault arrived" grep -qx 'before the crash' "$tmp/out"

# ---- input
seq 100000 >"$tmp/in"
timeout 60 "$ZUM" run "$P" cat <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
check "cat from a file: exit 0" [ $? = 0 ]
check "cat from a file: all of it" cmp -s "$tmp/in" "$tmp/out"
check "cat from a file: EOF seen" grep -qx "eof $(wc -c <"$tmp/in")" "$tmp/err"

seq 100000 | timeout 60 "$ZUM" run "$P" cat >"$tmp/out" 2>"$tmp/err"
check "cat from a pipe: exit 0" [ "${PIPESTATUS[1]}" = 0 ]
check "cat from a pipe: all of it" cmp -s "$tmp/in" "$tmp/out"

timeout 60 "$ZUM" run "$P" cat </dev/null >"$tmp/out" 2>"$tmp/err"
check "cat from /dev/null: exit 0" [ $? = 0 ]
check "cat from /dev/null: nothing, then EOF" \
  eval '[ ! -s "$tmp/out" ] && grep -qx "eof 0" "$tmp/err"'

# An endless stdin the program never reads: zum-launch stops reading when the socket is full
# and ends with the program.
yes | timeout 60 "$ZUM" run "$P" noread >"$tmp/out" 2>"$tmp/err"
check "noread with endless stdin: exit 0 (got ${PIPESTATUS[1]})" [ "${PIPESTATUS[1]}" = 0 ]
check "noread with endless stdin: output" grep -qx done "$tmp/out"

# A program that closes its stdin: zum-launch stops feeding it and still ends with it.
yes | timeout 60 "$ZUM" run "$P" closein >"$tmp/out" 2>"$tmp/err"
check "closein with endless stdin: exit 0 (got ${PIPESTATUS[1]})" [ "${PIPESTATUS[1]}" = 0 ]
check "closein with endless stdin: output" grep -qx done "$tmp/out"

# ---- a reader of stdout that goes away: no SIGPIPE for zum-launch, the program finishes
timeout 60 "$ZUM" run "$P" out 2>"$tmp/err" | head -n 2 >"$tmp/out"
rc=${PIPESTATUS[0]}
check "closed stdout: exit 0 (got $rc)" [ "$rc" = 0 ]
check "closed stdout: the first lines arrived" grep -qx 'out 2' "$tmp/out"
check "closed stdout: stderr kept flowing" grep -qx 'err last' "$tmp/err"

# ---- closed host fds: the next socket zum opens must not take their numbers and be used as stdio
timeout 60 "$ZUM" run "$P" out >&- 2>"$tmp/err"
rc=$?
check "stdout closed: exit 0 (got $rc; $(head -c 300 "$tmp/err"))" [ "$rc" = 0 ]
timeout 60 "$ZUM" run "$P" cat <&- >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin closed: exit 0 (got $rc)" [ "$rc" = 0 ]
check "stdin closed: read as empty" grep -qx "eof 0" "$tmp/err"

# ---- the UTC clock
before=$(date +%s)
got=$(timeout 60 "$ZUM" run "$P" utc 2>"$tmp/err")
rc=$?
after=$(date +%s)
check "utc: exit 0 (got $rc; $(head -c 300 "$tmp/err"))" [ "$rc" = 0 ]
check "utc: $got is within seconds of [$before, $after]" \
  eval '[ -n "$got" ] && [ "$got" -ge $((before - 2)) ] && [ "$got" -le $((after + 2)) ]'

[ "$fail" = 0 ] && echo "all stdio tests passed"
exit $((fail != 0))
