#!/usr/bin/env bash
# The privileged half of the resource and debuglog guests: each runs with the root resource
# (`zum run --root-resource`, and bare with ZUM_ROOT_RESOURCE=1) and must find it. Then the
# debuglog's console lines: with --debuglog-file they go to the file, one line a record, headed
# with the time, the process and thread koids and the process name; without it, to stderr.
set -u
ZUM=${ZUM:?} GUESTS=${GUESTS:?}
fail=0
run() { # name, then the command
  local name=$1 out rc
  shift
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAIL: $name: exit $rc"
    printf '%s\n' "$out" | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $name"
  fi
}
for g in resource debuglog; do
  run "$g (zum run --root-resource)" env ZUM_EXPECT_ROOT_RESOURCE=1 timeout 60 "$ZUM" run --root-resource "$GUESTS/$g"
  run "$g (bare, ZUM_ROOT_RESOURCE=1)" env ZUM_EXPECT_ROOT_RESOURCE=1 ZUM_ROOT_RESOURCE=1 timeout 60 "$GUESTS/$g"
done

# zx_system_powerctl(SHUTDOWN) halts the system: the root job is killed, the caller with it.
out=$(ZUM_TEST_SHUTDOWN=1 timeout 60 "$ZUM" run --root-resource "$GUESTS/resource" 2>&1)
rc=$?
if [ "$rc" != 255 ] || ! printf '%s\n' "$out" | grep -q ZX_TASK_RETCODE_SYSCALL_KILL; then
  echo "FAIL: powerctl(SHUTDOWN): exit $rc"
  printf '%s\n' "$out" | sed 's/^/    /'
  fail=$((fail + 1))
else
  echo "PASS: powerctl(SHUTDOWN)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 60 "$ZUM" run --debuglog-file="$tmp/log" "$GUESTS/debuglog" >"$tmp/out" 2>"$tmp/err"
rc=$?
line='^\[[0-9]{5}\.[0-9]{3}\] [0-9]{5,}:[0-9]{5,} debuglog> debuglog guest: hello$'
if [ "$rc" != 0 ] || ! grep -Eq "$line" "$tmp/log" || grep -q "debuglog guest" "$tmp/err"; then
  echo "FAIL: --debuglog-file (exit $rc); file:"
  sed 's/^/    /' "$tmp/log"
  fail=$((fail + 1))
else
  echo "PASS: --debuglog-file"
fi
timeout 60 "$ZUM" run "$GUESTS/debuglog" >"$tmp/out" 2>"$tmp/err"
if ! grep -Eq "$line" "$tmp/err"; then
  echo "FAIL: debuglog lines on stderr"
  sed 's/^/    /' "$tmp/err"
  fail=$((fail + 1))
else
  echo "PASS: debuglog lines on stderr"
fi
[ "$fail" = 0 ]
