#!/usr/bin/env bash
# zum's syscall fuzzer (tests/fuzz/fuzz-engine.h), from a hosted program and from a pure Zircon
# process, each under its own `zum run`: FUZZ_CALLS calls each (default 60000) from FUZZ_SEED
# (default a fixed seed, so `make check` is reproducible; `make fuzz` draws one). Fails if a
# supervisor stops answering correctly, dies, or exits non-zero (the sanitizer build's
# AddressSanitizer, UBSan and LeakSanitizer reports make it exit non-zero). The pure part skips
# when the Fuchsia-target programs were not built (no clang/ld.lld).
set -u
ZUM=${ZUM:?}
builddir=${builddir:-$(dirname "$ZUM")}
HOSTED=${FUZZ_HOSTED:-$builddir/tests/fuzz/fuzz-hosted}
PURE=${FUZZ_PURE:-$builddir/tests/fuchsia/fuzz.elf}
calls=${FUZZ_CALLS:-60000}
seed=${FUZZ_SEED:-20261208}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
echo "fuzz: seed $seed, $calls calls each (repeat with FUZZ_SEED=$seed FUZZ_CALLS=$calls)"

# run NAME COMMAND...: the fuzzer's own lines are on stdout (hosted) or among the console's
# (pure, through zx_debug_write, with whatever the fuzzed calls wrote there).
run() {
  local name=$1 rc
  shift
  local t0=$SECONDS
  "$ZUM" run "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  grep -a -o 'fuzz[-a-z]*: [ -~]*' "$tmp/$name.out" "$tmp/$name.err" | sed 's/^[^:]*://' | sed 's/^/  /'
  if [ "$rc" != 0 ] || ! grep -aq 'supervisor answered after each' "$tmp/$name.out" "$tmp/$name.err"; then
    echo "FAIL: $name: zum run exited $rc (seed $seed); the supervisor's last words:"
    grep -a -E 'zum:|ERROR|runtime error|Sanitizer|SUMMARY|#[0-9]+ 0x' "$tmp/$name.err" | cut -c1-200 | tail -40
    fail=1
  else
    echo "PASS: $name: $calls calls in $((SECONDS - t0)) s"
  fi
}

# The hosted fuzzer gets resources minted from the root resource, which it then closes
# (tests/fuzz/fuzz_hosted.c says which and why).
run hosted --root-resource "$HOSTED" "$calls" "$seed"
if [ -f "$PURE" ]; then
  run pure "$PURE" "$calls" "$seed"
else
  echo "SKIP: pure: $PURE was not built (needs clang and ld.lld)"
fi
exit $fail
