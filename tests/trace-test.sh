#!/usr/bin/env bash
# `zum run --trace` prints one decoded line per Zircon call: names, handles, signals, deadlines,
# statuses by name, blocked calls and their completion, and the program's own output is kept.
set -u
ZUM=${ZUM:?} GUESTS=${GUESTS:?}
out=$("$ZUM" run --trace "$GUESTS/basic" 2>&1)
rc=$?
fail=0
expect() {
  if ! grep -Eq -- "$1" <<<"$out"; then
    echo "FAIL: trace lacks /$1/"
    fail=1
  fi
}
[ "$rc" = 0 ] || { echo "FAIL: basic exited $rc under --trace"; fail=1; }
expect '^\[[0-9]+:[0-9]+ tid [0-9]+\] zx_event_create\(options=0x0, out=0x[0-9a-f]+\) -> ZX_OK \([0-9.]+ us\)$'
expect 'zx_object_wait_one\(handle=0x[0-9a-f]+, signals=SIGNALED, deadline=now\+[0-9.]+ms, observed=0x[0-9a-f]+\) \.\.\. blocked'
expect 'zx_object_wait_one\(.*\) -> ZX_ERR_TIMED_OUT'
expect 'zx_object_wait_one\(handle=0x[0-9a-f]+, signals=SIGNALED, deadline=INFINITE, .*\) -> ZX_OK'
expect 'zx_handle_close\(handle=0x[0-9a-f]+\) -> ZX_ERR_BAD_HANDLE'
expect 'zx_event_create\(options=0x0, out=0x8\) -> ZX_ERR_INVALID_ARGS'
expect 'zx_object_signal\(handle=0x[0-9a-f]+, clear_mask=0, set_mask=SIGNALED\) -> ZX_OK'
expect '^debug_write works$'
# --trace-file keeps the program's output apart from the trace.
tf=$(mktemp)
"$ZUM" run --trace-file="$tf" "$GUESTS/basic" >/dev/null 2>&1 || { echo "FAIL: --trace-file run"; fail=1; }
grep -q 'zx_event_create' "$tf" || { echo "FAIL: --trace-file wrote no trace"; fail=1; }
rm -f "$tf"
# Bare mode traces with ZUM_TRACE=1.
bare=$(ZUM_TRACE=1 "$GUESTS/basic" 2>&1) || { echo "FAIL: bare traced run"; fail=1; }
grep -q 'zx_event_create' <<<"$bare" || { echo "FAIL: ZUM_TRACE=1 printed no trace"; fail=1; }
# Usage errors are reported, not crashes.
"$ZUM" run >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: zum run without a program"; fail=1; }
"$ZUM" run --bogus x >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: unknown option"; fail=1; }
"$ZUM" run /nonexistent/program >/dev/null 2>&1; [ $? = 127 ] || { echo "FAIL: missing program"; fail=1; }
[ $fail = 0 ] && echo "PASS: trace"
exit $fail
