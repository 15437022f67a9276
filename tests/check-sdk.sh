#!/usr/bin/env bash
# `make check-sdk`: builds a ladder of tiny programs with the Fuchsia SDK that FUCHSIA_SDK names
# (its sysroot's Scrt1.o, libc.so and libzircon.so, Debian's clang for
# --target=x86_64-unknown-fuchsia and ld.lld) and runs each under `zum run` (which starts it
# through the SDK's own ld.so.1), checking exit codes and output. The rungs, in order: reaching
# main and returning a code; argv and environ; malloc; direct zx_* calls; printf to stdout
# (with libfdio.so); time() from the UTC clock.
# Without FUCHSIA_SDK it says that it skipped and succeeds. Nothing from the SDK is kept.
# The programs link without compiler-rt's builtins (Debian's clang has none for the Fuchsia
# triple): these tiny programs need none.
set -u
ZUM=${ZUM:?} srcdir=${srcdir:?}
if [ -z "${FUCHSIA_SDK:-}" ]; then
  echo "check-sdk: SKIPPED: FUCHSIA_SDK is not set (point it at the root of a Fuchsia core SDK, the directory holding arch/x64/sysroot, to run SDK-built programs)"
  exit 0
fi
SR=$FUCHSIA_SDK/arch/x64/sysroot
for f in "$SR/lib/Scrt1.o" "$SR/lib/libc.so"; do
  if [ ! -f "$f" ]; then
    echo "check-sdk: FAIL: FUCHSIA_SDK=$FUCHSIA_SDK has no $f: not a Fuchsia SDK root"
    exit 1
  fi
done
for tool in clang ld.lld; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check-sdk: SKIPPED: needs $tool (Debian packages clang, lld)"
    exit 0
  fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-check-sdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

# rung NAME STATUS 'OUTPUT-PATTERN' 'LIBS' [ARGS...]: builds tests/sdk/NAME.c (linked with libc,
# libzircon and LIBS) and runs it with ARGS.
rung() {
  local name=$1 want=$2 pattern=$3 libs=$4
  shift 4
  n=$((n + 1))
  if ! clang --target=x86_64-unknown-fuchsia --sysroot="$SR" -fuse-ld=lld -nostdlib -O2 \
       "$SR/lib/Scrt1.o" "$srcdir/tests/sdk/$name.c" -L"$SR/lib" -L"$FUCHSIA_SDK/arch/x64/lib" \
       -lc -lzircon $libs \
       -o "$tmp/$name" 2>"$tmp/$name.log"; then
    echo "FAIL: $name: does not build with the SDK:"
    sed 's/^/    /' "$tmp/$name.log"
    fail=$((fail + 1))
    return
  fi
  local out rc
  out=$(cd "$tmp" && timeout 60 env ZT_SDK=yes "$ZUM" run "$tmp/$name" "$@" 2>&1)
  rc=$?
  if [ "$rc" = "$want" ] && { [ -z "$pattern" ] || grep -qE -- "$pattern" <<<"$out"; }; then
    echo "PASS: $name -> $rc"
  else
    echo "FAIL: $name: exit $rc (expected $want)${pattern:+, output should match '$pattern'}:"
    printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
    fail=$((fail + 1))
  fi
}

rung exit 42 '' ''
rung args 33 '' '' one "two words"
rung malloc 7 '' ''
rung zxcall 9 '' ''
# stdio needs fdio (libfdio.so, from the SDK's arch/x64/dist through the loader service).
rung hello 0 '^hello from an SDK-built program$' -lfdio
# UTC time from PA_CLOCK_UTC, printed through fdio.
rung time 0 '^utc [0-9]+ host [0-9]+$' -lfdio "$(date +%s)"
echo "check-sdk: $((n - fail))/$n rungs passed with the SDK at $FUCHSIA_SDK"
[ "$fail" = 0 ]
