#!/usr/bin/env bash
# Nothing started under zum outlives the supervisor: a hosted guest forks a child (in a process
# group of its own) that forks a grandchild running `sleep`; the supervisor is then SIGKILLed,
# under `zum run` and in a bare run, and every process of the tree (and zum's reaper) must be
# gone within a few seconds.
set -u
ZUM=${ZUM:?} HELPERS=${ZUM_HELPERS:?}
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
alive() { # pid: running, stopped or sleeping; a zombie counts as gone
  local st
  st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
wait_all_gone() { # seconds pid...
  local tries=$(($1 * 50)) p left
  shift
  while [ "$tries" -gt 0 ]; do
    left=
    for p in "$@"; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] && return 0
    sleep 0.02
    tries=$((tries - 1))
  done
  echo "  still running:$left"
  for p in $left; do echo "   $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; kill -9 "$p" 2>/dev/null; done
  return 1
}
read_tree() { # fifo: sets guest child grandchild
  local role pid i
  exec 3<"$1"
  for i in 1 2 3; do
    read -r -t 20 role pid <&3 || break
    case $role in guest) guest=$pid ;; child) child=$pid ;; grandchild) grandchild=$pid ;; esac
  done
  exec 3<&-
}

# check_killed LABEL VICTIM ERRFILE OWNER PID...: with every PID known, SIGKILLs VICTIM and
# expects every PID gone; otherwise says what did not start (and kills OWNER).
check_killed() {
  local label=$1 victim=$2 err=$3 owner=$4 p
  shift 4
  for p in "$@"; do
    if [ -z "$p" ]; then
      echo "FAIL: $label: tree not started (guest=$guest child=$child grandchild=$grandchild victim=$victim reaper=$reaper)"
      cat "$err"; fail=1; kill -9 "$owner"; return
    fi
  done
  kill -9 "$victim"
  if wait_all_gone 5 "$@"; then
    echo "PASS: $label SIGKILLed: guest, its child, grandchild and the reaper are gone"
  else
    echo "FAIL: $label SIGKILLed: processes outlived it"; fail=1
  fi
}

# Under `zum run`.
mkfifo "$tmp/f1"
"$ZUM" run "$HELPERS/forker" >"$tmp/f1" 2>"$tmp/err1" &
zum_pid=$!
guest= child= grandchild=
read_tree "$tmp/f1"
reaper=$(pgrep -P "$zum_pid" -x zum-reaper | head -1)
check_killed "zum run" "$zum_pid" "$tmp/err1" "$zum_pid" "$guest" "$child" "$grandchild" "$reaper"
wait "$zum_pid" 2>/dev/null

# Bare: the supervisor is the program's child.
mkfifo "$tmp/f2"
"$HELPERS/forker" >"$tmp/f2" 2>"$tmp/err2" &
bare=$!
guest= child= grandchild=
read_tree "$tmp/f2"
sv=$(pgrep -P "$bare" -x zum-supervisor | head -1)
reaper=
[ -n "$sv" ] && reaper=$(pgrep -P "$sv" -x zum-reaper | head -1)
check_killed "bare supervisor" "$sv" "$tmp/err2" "$bare" "$guest" "$child" "$grandchild" "$reaper"
wait "$bare" 2>/dev/null

# A normal end: the first process exits while its child and grandchild sleep.
mkfifo "$tmp/f3"
"$ZUM" run "$HELPERS/forker" >"$tmp/f3" 2>"$tmp/err3" &
zum_pid=$!
guest= child= grandchild=
read_tree "$tmp/f3"
if [ -z "$guest" ]; then
  echo "FAIL: zum run: no guest"; fail=1; kill -9 "$zum_pid"
else
  kill -9 "$guest"
  wait "$zum_pid" 2>/dev/null
  # zum waits for its reaper, which has sent every SIGKILL by then.
  if wait_all_gone 5 "$child" "$grandchild"; then
    echo "PASS: zum run ended by its first process: its Linux descendants are gone"
  else
    echo "FAIL: zum run ended: its guest's Linux descendants outlived it"; fail=1
  fi
fi
exit $fail
