#!/usr/bin/env bash
# libzum exports only the public API: every defined dynamic symbol is a zx_/_zx_ name or a zum_
# function declared in <zum/zum.h>; none of the runtime's or the supervisor's code is visible.
# It needs no supervisor library (the bare supervisor is the zum executable) and finds
# libzircon.so beside itself (RUNPATH $ORIGIN).
#   tests/libzum-exports.sh [PATH/TO/libzum.so]   (default: $builddir/.libs/libzum.so)
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
so=${1:-${builddir:-.}/.libs/libzum.so}
[ -f "$so" ] || { echo "FAIL: no $so"; exit 1; }
fail=0
public=$(sed -nE 's/.*[^a-z0-9_](zum_[a-z0-9_]+)\(.*/\1/p' "$srcdir/abi/include/zum/zum.h" | sort -u)
[ -n "$public" ] || { echo "FAIL: read no zum_ function from zum.h"; fail=1; }
syms=$(nm -D --defined-only "$so" | awk '{ print $3 }')
n=$(wc -l <<<"$syms")
other=$(grep -Ev '^_?zx_' <<<"$syms" | grep -Fxv -f <(echo "$public") || true)
if [ -n "$other" ]; then
  echo "FAIL: libzum exports $(wc -l <<<"$other") name(s) outside the public API: $(echo $other | cut -c1-400)"
  fail=1
fi
grep -qx zum_spawn <<<"$syms" || { echo "FAIL: libzum does not export zum_spawn"; fail=1; }
grep -qx zx_process_self <<<"$syms" || { echo "FAIL: libzum does not export zx_process_self"; fail=1; }
dyn=$(readelf -dW "$so")
grep -q '(RUNPATH).*\[\$ORIGIN\]' <<<"$dyn" || { echo "FAIL: libzum's run path is not \$ORIGIN"; fail=1; }
if grep -q '(NEEDED).*seccomp' <<<"$dyn"; then echo "FAIL: libzum needs libseccomp"; fail=1; fi
[ "$fail" = 0 ] && echo "PASS: libzum exports $n public symbols and nothing else"
exit $fail
