#!/usr/bin/env bash
# Fuchsia-ABI programs whose PT_INTERP is ld.so.1, under `zum run`: zum-launch maps the sysroot's
# dynamic linker (here the tests' own, tests/fuchsia/ldso.c, as sysroot/lib/ld.so.1), gives it the
# program as a VMO with a loader-service channel, and serves that channel until the program ends.
#   - the sysroot from --sysroot, ZUM_SYSROOT or FUCHSIA_SDK (an SDK's layout: ld.so.1 in
#     arch/x64/sysroot/dist/lib, libraries in arch/x64/dist), and the message naming all three
#     when none is given, or when the one given has no ld.so.1;
#   - libraries from --lib-path, ZUM_LIBRARY_PATH, the program's directory, the SDK's;
#   - a library nobody has: the linker's line with the status (ZX_ERR_NOT_FOUND), exit 127;
#   - argv exactly as given; environ = zum's environment, --env, --unset-env, --clear-env;
#   - libc's message has exactly THREAD_SELF, PROC_SELF, VMAR_ROOT, JOB_DEFAULT, VMO_VDSO,
#     VMO_STACK, the linker's message exactly its five handles (both programs check);
#   - loader-service requests, good and hostile (names with '/', '..', NUL; huge, short,
#     oversized and unknown requests; Config, Clone, Done) from the running program.
# Skips (77) when the programs were not built (no clang or ld.lld).
set -u
ZUM=${ZUM:?} FUCHSIA=${FUCHSIA:?}
F=$FUCHSIA
LAUNCH=${ZUM_LAUNCH:-$(dirname "$ZUM")/zum-launch}
if [ ! -f "$F/dyn.elf" ] || [ ! -f "$F/sysroot/lib/ld.so.1" ]; then
  echo "SKIP: $F/dyn.elf was not built: building Fuchsia-target test programs needs clang and ld.lld (Debian packages clang, lld)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-ldso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
# No sysroot or library path from the caller's environment.
unset ZUM_SYSROOT FUCHSIA_SDK ZUM_LIBRARY_PATH

# expect STATUS 'PATTERN'... -- COMMAND...: the exit status, and every pattern (grep -E) in
# stdout+stderr; a pattern starting with ! must NOT appear.
expect() {
  local want=$1
  shift
  local patterns=()
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done
  shift
  n=$((n + 1))
  local out rc bad=
  out=$(timeout 60 "$@" 2>&1)
  rc=$?
  [ "$rc" = "$want" ] || bad="exit $rc, expected $want"
  local p
  for p in "${patterns[@]}"; do
    if [ "${p:0:1}" = '!' ]; then
      ! grep -qE -- "${p:1}" <<<"$out" || bad="${bad:+$bad; }output has '${p:1}'"
    else
      grep -qE -- "$p" <<<"$out" || bad="${bad:+$bad; }output lacks '$p'"
    fi
  done
  local cmd="$*"
  [ "${#cmd}" -le 300 ] || cmd="${cmd:0:300}..."
  if [ -n "$bad" ]; then
    echo "FAIL: $cmd: $bad"
    printf '%s\n' "$out" | cut -c1-300 | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $cmd -> $rc"
  fi
}

S=$F/sysroot L=$F/libdir
ok=('^dyn: handles ok$' '^dyn: library says hello from libfxdep.so$')

# ---- where the linker and the libraries come from
expect 0 "${ok[@]}" -- "$ZUM" run --sysroot="$S" --lib-path="$L" "$F/dyn.elf"
expect 0 "${ok[@]}" -- "$ZUM" run --sysroot "$S" --lib-path "/nonexistent:$L" "$F/dyn.elf"
expect 0 "${ok[@]}" -- env ZUM_SYSROOT="$S" ZUM_LIBRARY_PATH="$L" "$ZUM" run "$F/dyn.elf"
# zum-launch run bare (its own supervisor) takes the same options.
expect 0 "${ok[@]}" -- "$LAUNCH" --sysroot="$S" --lib-path="$L" -- "$F/dyn.elf"
# The program's own directory.
mkdir -p "$tmp/prog"
cp "$F/dyn.elf" "$L/libfxdep.so" "$tmp/prog/"
expect 0 "${ok[@]}" -- "$ZUM" run --sysroot="$S" "$tmp/prog/dyn.elf"
# An SDK's layout: FUCHSIA_SDK=ROOT, ld.so.1 in ROOT/arch/x64/sysroot/dist/lib, the libraries in
# ROOT/arch/x64/dist.
sdk=$tmp/sdk/arch/x64
mkdir -p "$sdk/sysroot/dist/lib" "$sdk/dist"
cp "$S/lib/ld.so.1" "$sdk/sysroot/dist/lib/"
cp "$L/libfxdep.so" "$sdk/dist/"
expect 0 "${ok[@]}" -- env FUCHSIA_SDK="$tmp/sdk" "$ZUM" run "$F/dyn.elf"
expect 0 "${ok[@]}" -- "$ZUM" run --sysroot="$sdk/sysroot" "$F/dyn.elf"
# --sysroot comes before ZUM_SYSROOT, which comes before FUCHSIA_SDK.
expect 0 "${ok[@]}" -- env ZUM_SYSROOT=/nonexistent FUCHSIA_SDK=/nonexistent \
  "$ZUM" run --sysroot="$S" --lib-path="$L" "$F/dyn.elf"
expect 0 "${ok[@]}" -- env ZUM_SYSROOT="$S" FUCHSIA_SDK=/nonexistent \
  "$ZUM" run --lib-path="$L" "$F/dyn.elf"

# ---- errors
expect 127 "dyn.elf: asks for the dynamic linker 'ld.so.1' \(PT_INTERP\)" 'none is given' \
  '--sysroot=DIR' 'ZUM_SYSROOT=DIR' 'FUCHSIA_SDK=' '!handles ok' -- "$ZUM" run "$F/dyn.elf"
expect 127 "the sysroot $tmp/prog \(from --sysroot\) has neither lib/ld.so.1 nor dist/lib/ld.so.1" \
  -- "$ZUM" run --sysroot="$tmp/prog" "$F/dyn.elf"
expect 127 "/nonexistent/arch/x64/sysroot \(from FUCHSIA_SDK\) has neither" \
  -- env FUCHSIA_SDK=/nonexistent "$ZUM" run "$F/dyn.elf"
# The library is nowhere on the search path: the linker reports the loader service's status.
expect 127 '^fxld: cannot load libfxdep.so: ZX_ERR_NOT_FOUND$' '!handles ok' \
  -- "$ZUM" run --sysroot="$S" "$F/dyn.elf"
expect 127 '^fxld: cannot load libfxhidden.so: ZX_ERR_NOT_FOUND$' '!handles ok' \
  -- "$ZUM" run --sysroot="$S" --lib-path="$L" "$F/nolib.elf"
# The environment options are for Fuchsia programs only.
expect 2 'is for Fuchsia-ABI programs' -- "$ZUM" run --env A=B /bin/true
expect 2 '--sysroot needs a value' -- "$ZUM" run --sysroot
expect 2 'unknown option --environment' -- "$ZUM" run --environment x /bin/true

# ---- arguments and environment
run=("$ZUM" run --sysroot="$S" --lib-path="$L")
expect 7 '^dyn: argv\[0\]=.*/dyn.elf$' '^dyn: argv\[1\]=one$' '^dyn: argv\[2\]=two words$' \
  '^dyn: argv\[3\]=$' '^dyn: argv\[4\]=--env$' '^dyn: argv\[5\]=exit=7$' '^dyn: argc=6 ' \
  -- "${run[@]}" "$F/dyn.elf" one "two words" "" --env exit=7
expect 0 '^dyn: env ZT_HOST=from host$' '^dyn: env ZT_SET=a=b$' '!ZT_GONE' \
  -- env ZT_HOST="from host" ZT_GONE=x "${run[@]}" --env ZT_SET=a=b --unset-env ZT_GONE "$F/dyn.elf"
expect 0 '^dyn: env ZT_SET=2$' '!ZT_SET=1' \
  -- env ZT_SET=1 "${run[@]}" --env ZT_SET=2 "$F/dyn.elf"
expect 0 '^dyn: argc=1 envc=1$' '^dyn: env ZT_ONLY=1$' '!ZT_HOST' \
  -- env ZT_HOST=x "${run[@]}" --clear-env --env ZT_ONLY=1 "$F/dyn.elf"
# A large environment fits (each message at most 64 KiB); one too large for a message is refused.
many=()
for i in $(seq 1000); do many+=("ZT_V$i=value$i"); done
expect 0 '^dyn: env ZT_V1000=value1000$' -- env "${many[@]}" "${run[@]}" "$F/dyn.elf"
expect 127 'too long for a bootstrap message' '!handles ok' \
  -- "${run[@]}" --env ZT_BIG="$(head -c 70000 /dev/zero | tr '\0' x)" "$F/dyn.elf"
# ld.so's own message carries argv and environ too.
expect 0 '^fxld: message 1: handles=5 argc=2 envc=1$' \
  -- "${run[@]}" --clear-env --env FXLD_DEBUG=1 "$F/dyn.elf" x
# The same options reach a program without PT_INTERP (zum-launch loads it itself).
expect 0 '^argv\[1\]=x$' -- "$ZUM" run --clear-env --env A=B "$F/args.elf" x

# ---- the loader service, from the running program, good and hostile requests
expect 0 'LoadObject libfxdep.so: ZX_OK, an executable VMO named libfxdep.so' \
  "names with '/', '.', '..', NUL or nothing: ZX_ERR_INVALID_ARGS" \
  'unknown names: ZX_ERR_NOT_FOUND' 'Config: bad prefixes refused' \
  'huge, short, oversized and unknown requests close their connection' \
  'Clone past the connection limit: ZX_ERR_NO_RESOURCES' \
  'Done closes; the first connection still serves' \
  -- "${run[@]}" "$F/dyn.elf" ldsvc
# With ZUM_LDSVC_TRACE, zum-launch says what it served.
expect 0 "zum-launch: ldsvc LoadObject 'libfxdep.so': ZX_OK" \
  -- env ZUM_LDSVC_TRACE=1 "${run[@]}" "$F/dyn.elf"

echo "$((n - fail))/$n checks of programs started through ld.so.1 passed"
[ "$fail" = 0 ]
