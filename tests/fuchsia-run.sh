#!/usr/bin/env bash
# Fuchsia-ABI programs (tests/fuchsia/*.elf: built with clang for x86_64-unknown-fuchsia against
# zum's vDSO) under `zum run`, which starts them through zum-launch as pure Zircon processes:
#   - exit statuses and output (hello, args, exitcode, calls);
#   - faults (raw Linux syscall, zum syscall outside the vDSO, NULL, write to code, int3, ud2,
#     divide by zero) kill only the faulting process, with ZX_TASK_RETCODE_EXCEPTION_KILL;
#   - zum's hosted-only private calls (spawn, hosted_init, thread_self) are not in the vDSO and
#     kill a pure process that traps them (tests/fuchsia/private.c); no program ever runs;
#   - a pure process cannot make its vDSO writable (tests/fuchsia/vdso.c);
#   - zum-launch's error messages name the file and what is wrong;
#   - /proc/PID/maps of a running pure process shows only zum's stub and zum page (below
#     0x200000) and what was mapped into it, and the Linux process dies with zum.
# Skips (77) when the programs were not built (no clang or ld.lld).
set -u
ZUM=${ZUM:?} FUCHSIA=${FUCHSIA:?}
builddir=${builddir:-$(dirname "$ZUM")}
LAUNCH=${ZUM_LAUNCH:-$builddir/zum-launch}
if [ ! -f "$FUCHSIA/hello.elf" ]; then
  echo "SKIP: $FUCHSIA/hello.elf was not built: building Fuchsia-target test programs needs clang and ld.lld (Debian packages clang, lld)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-fuchsia.XXXXXX")
zum_pid=
cleanup() {
  [ -n "$zum_pid" ] && kill -KILL "$zum_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 n=0

# expect STATUS 'OUTPUT-PATTERN...' -- COMMAND...: the exit status, and every pattern (grep -E)
# somewhere in stdout+stderr. A pattern starting with ! must NOT appear.
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
  if [ -n "$bad" ]; then
    echo "FAIL: ${*#"$FUCHSIA/"}: $bad"
    printf '%s\n' "$out" | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $* -> $rc"
  fi
}

F=$FUCHSIA
# ---- programs that work
expect 0 '^hello from a pure Zircon process$' -- "$ZUM" run "$F/hello.elf"
expect 0 "^argv\[0\]=$F/args.elf\$" '^argv\[1\]=one$' '^argv\[2\]=two words$' '^argv\[3\]=$' \
  '^argv\[4\]=qu"ote$' '^argc=5$' -- "$ZUM" run "$F/args.elf" one "two words" "" 'qu"ote'
expect 42 '!return code' -- "$ZUM" run "$F/exitcode.elf"
expect 7 -- "$ZUM" run "$F/exitcode.elf" 7
expect 0 -- "$ZUM" run "$F/exitcode.elf" 0
expect 255 'return code -5' -- "$ZUM" run "$F/exitcode.elf" -5
expect 0 '^calls: relocations ok$' '^calls: fs/gs ok$' '^calls: ok$' -- "$ZUM" run "$F/calls.elf"
# Threads of a pure process meeting in futexes (tests/fuchsia/futex.c).
expect 0 '^futex: errors ok$' '^futex: ping-pong ok$' '^futex: owners ok$' \
  '^futex: last calls ok$' '^futex: ok$' -- \
  "$ZUM" run "$F/futex.elf"
# A thread of a pure process suspended, its registers read and written (tests/fuchsia/suspend.c).
expect 0 '^suspend: errors ok$' '^suspend: blocked ok$' '^suspend: ok$' -- "$ZUM" run "$F/suspend.elf"
# zum-launch run bare (its own supervisor) and through zum run explicitly.
expect 0 '^hello from a pure Zircon process$' -- "$LAUNCH" "$F/hello.elf"
expect 42 -- "$ZUM" run "$LAUNCH" "$F/exitcode.elf"

# ---- faults kill only the faulting process: zum-launch survives to report the return code
for mode in syscall zxsyscall; do
  expect 255 "^fault: $mode\$" 'ZX_TASK_RETCODE_EXCEPTION_KILL' 'BAD_SYSCALL' '!fault: survived' -- \
    "$ZUM" run "$F/fault.elf" "$mode"
done
for mode in null wrcode int3 ud2 div0; do
  expect 255 "^fault: $mode\$" 'return code -1028 \(ZX_TASK_RETCODE_EXCEPTION_KILL\)' \
    '!BAD_SYSCALL' '!fault: survived' -- \
    "$ZUM" run "$F/fault.elf" "$mode"
done
expect 2 'unknown mode' -- "$ZUM" run "$F/fault.elf" nosuchmode

# ---- zum's hosted-only private calls are out of a pure process's reach: not in its vDSO, and
# an invalid system call (BAD_SYSCALL policy exception, killed) whether trapped from the
# program's own code (the seal) or through the vDSO's syscall instruction (the supervisor). The
# spawn attempts ask for a shell that would create a marker file; it must never appear.
expect 0 '^syms: ok$' -- "$ZUM" run "$F/private.elf" syms
for call in spawn hosted_init thread_self; do
  marker="$tmp/marker-$call"
  expect 255 'BAD_SYSCALL' 'return code -1028 \(ZX_TASK_RETCODE_EXCEPTION_KILL\)' \
    '!private: survived' -- "$ZUM" run "$F/private.elf" trap "$call" "$marker"
  expect 255 'zum call 0x[0-9a-f]+ is not available to this kind of process \(ZX_EXCP_POLICY_CODE_BAD_SYSCALL\)' \
    'return code -1028 \(ZX_TASK_RETCODE_EXCEPTION_KILL\)' '!private: survived' -- \
    "$ZUM" run "$F/private.elf" vdsotrap "$call" "$marker"
  sleep 0.2
  n=$((n + 1))
  if [ -e "$marker" ]; then
    echo "FAIL: a pure process ran a Linux program through zum's $call call ($marker exists)"
    fail=$((fail + 1))
  else
    echo "PASS: no marker file after the $call attempts"
  fi
done
# The vDSO cannot be made writable: by rights (zx_vmo_write, zx_vmar_map, zx_vmar_protect) nor
# by Linux's mprotect reached through the stub's code (sealed memory). tests/guests/vdso_seal.c
# runs this under one supervisor with a second pure process and compares the image.
expect 0 '^vdso: mprotect -(1|13)$' '^vdso: done$' '!WROTE' -- "$ZUM" run "$F/vdso.elf"

# ---- zum-launch's errors name the file and what is wrong
expect 127 "interp.elf: asks for the dynamic linker 'ld.so.1' \(PT_INTERP\).*none is given" \
  -- env -u ZUM_SYSROOT -u FUCHSIA_SDK "$ZUM" run "$F/interp.elf"
expect 127 "undef.elf: undefined symbol 'zx_not_a_real_call'" -- "$ZUM" run "$F/undef.elf"
expect 127 "/nonexistent.elf: cannot open: No such file" -- "$ZUM" run "$LAUNCH" /nonexistent.elf
printf 'not an elf\n' >"$tmp/text.elf"
expect 127 "text.elf: not an ELF file" -- "$ZUM" run "$LAUNCH" "$tmp/text.elf"
head -c 80 "$F/hello.elf" >"$tmp/short.elf"
expect 127 "short.elf: program headers lie outside the file" -- "$ZUM" run "$LAUNCH" "$tmp/short.elf"
expect 127 "sh: asks for the dynamic linker '/lib.*' \(PT_INTERP\)" -- \
  "$ZUM" run "$LAUNCH" "$(command -v sh)"
if [ -f "$builddir/zum-stub" ]; then
  expect 127 "zum-stub: not a position-independent executable" -- \
    "$ZUM" run "$LAUNCH" "$builddir/zum-stub"
fi
# A Linux static-pie has no PT_INTERP but a GNU ABI-tag note: not a Fuchsia program.
# zum run starts it as a Linux program; zum-launch refuses it.
if printf 'int main(void) { return 3; }\n' | ${CC:-cc} -x c -static-pie -o "$tmp/spie" - 2>/dev/null; then
  expect 3 '!zum-launch' -- "$ZUM" run "$tmp/spie"
  expect 127 "spie: is a Linux program \(it has a GNU ABI-tag note\)" -- "$ZUM" run "$LAUNCH" "$tmp/spie"
fi
expect 2 'usage: zum-launch' -- "$ZUM" run "$LAUNCH"

# ---- /proc/PID/maps of a running pure process
n=$((n + 1))
name=fxm$$.elf
name=${name:0:15}
cp "$F/fault.elf" "$tmp/$name"
"$ZUM" run "$tmp/$name" maps >"$tmp/maps.out" 2>&1 &
zum_pid=$!
for _ in $(seq 300); do
  grep -q '^ready$' "$tmp/maps.out" && break
  kill -0 "$zum_pid" 2>/dev/null || break
  sleep 0.1
done
# The Linux process whose comm is $1 (no procps needed).
find_comm() {
  local d c
  for d in /proc/[1-9]*; do
    c=$(cat "$d/comm" 2>/dev/null) || continue
    [ "$c" = "$1" ] && { echo "${d#/proc/}"; return; }
  done
}
pid=$(find_comm "$name")
bad=
if ! grep -q '^ready$' "$tmp/maps.out"; then
  bad="the program did not get ready"
elif [ -z "$pid" ]; then
  bad="no Linux process named $name (the pure process's name should be its comm)"
elif ! cp "/proc/$pid/maps" "$tmp/maps" 2>/dev/null; then
  bad="cannot read /proc/$pid/maps"
else
  # Every mapping lies below the Zircon user base (stub, zum page), is the kernel's vsyscall
  # page, or lies inside a range the program says it mapped.
  bad=$(awk '
    function hex(s,  i, v) {
      s = tolower(s); sub(/^0x/, "", s); v = 0
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    FNR == NR { if ($1 == "range") { lo[++k] = hex($2); hi[k] = hex($3); txt[k] = $2 "-" $3 } next }
    {
      split($1, r, "-"); a = hex(r[1]); b = hex(r[2])
      if (b <= 2097152 || $6 == "[vsyscall]") next
      ok = 0
      for (i = 1; i <= k; i++) if (a >= lo[i] && b <= hi[i]) ok = 1
      if (!ok) printf "unexpected mapping: %s; ", $0
      for (i = 1; i <= k; i++) if (a == lo[i]) seen[i] = 1
    }
    END {
      if (k != 4) printf "expected 4 ranges from the program, got %d; ", k
      for (i = 1; i <= k; i++) if (!seen[i]) printf "range %s not mapped at its start; ", txt[i]
    }' "$tmp/maps.out" "$tmp/maps")
  # Its fd table holds nothing that reaches beyond its own objects: stdio is /dev/null opened
  # read-only, then the agent socket, the work channel and the userfaultfd; no memfd stays
  # after the op that used it.
  for f in /proc/"$pid"/fd/*; do
    fd=${f##*/} target=$(readlink "$f" 2>/dev/null) || continue
    case $fd:$target in
      [012]:/dev/null)
        acc=$(awk '/^flags:/ { print substr($2, length($2)) % 4 }' "/proc/$pid/fdinfo/$fd")
        [ "$acc" = 0 ] || bad="${bad}fd $fd (/dev/null) is not read-only; " ;;
      [34]:socket:*|5:anon_inode:\[userfaultfd\]) ;;
      *) bad="${bad}unexpected fd $fd -> $target; " ;;
    esac
  done
fi
{ kill -KILL "$zum_pid" && wait "$zum_pid"; } 2>/dev/null
zum_pid=
if [ -z "$bad" ] && [ -n "$pid" ]; then
  # The pure process dies with the supervisor.
  for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] &&
    bad="pure process $pid outlived zum"
fi
if [ -n "$bad" ]; then
  echo "FAIL: /proc/PID/maps of a pure process: $bad"
  sed 's/^/    out: /' "$tmp/maps.out"
  [ -f "$tmp/maps" ] && sed 's/^/    maps: /' "$tmp/maps"
  fail=$((fail + 1))
else
  echo "PASS: /proc/$pid/maps and fd of pure process $name show only the stub and its own mappings and channels"
fi

# ---- the stub's own Linux calls, reached by jumping into its `syscall; ret` (tests/fuchsia/escape.c)
# A read-only VMO stays read-only: its fd is O_RDONLY (mprotect EACCES), a racing thread that
# tries a writable mapping of every fd number never gets one, the VMO is unchanged.
expect 0 '^rovmo: mprotect -13$' '^rovmo: wrote 0$' '^rovmo: ok$' -- "$ZUM" run "$F/escape.elf" rovmo
expect 0 '^fds: ok$' -- "$ZUM" run "$F/escape.elf" fds
# A snapshot is filled without giving the process its parent's store (no fault source fd).
expect 0 '^cow: ok$' -- "$ZUM" run "$F/escape.elf" cow
# Linux refuses to register a read-only mapping with the userfaultfd (no VM_MAYWRITE).
out=$(timeout 60 "$ZUM" run "$F/escape.elf" uffd 2>&1)
n=$((n + 1))
if grep -q '^uffd: rw 0 ro -1$' <<<"$out"; then
  echo "PASS: escape.elf uffd: a read-only mapping cannot be registered"
elif ! grep -q '^uffd:' <<<"$out" && grep -q 'return code -4127' <<<"$out"; then
  echo "PASS: escape.elf uffd: no userfaultfd on this host, so no ioctl is allowed at all"
else
  echo "FAIL: escape.elf uffd"
  printf '%s\n' "$out" | sed 's/^/    /'
  fail=$((fail + 1))
fi
# Forged agent replies change nothing; a malformed message ends the process.
expect 0 '^forge: ok$' -- "$ZUM" run "$F/escape.elf" forge
expect 255 'its agent sent a malformed message' 'return code -1028 \(ZX_TASK_RETCODE_EXCEPTION_KILL\)' \
  '!nonsense: survived' -- "$ZUM" run "$F/escape.elf" nonsense
# What the seal refuses even from the stub's code kills the process (SIGSYS).
for call in sendmsg anon zumpage remove growsdown recv0 unprotect; do
  expect 255 "^filter: $call\$" 'return code -4127' '!filter: survived' -- \
    "$ZUM" run "$F/escape.elf" filter "$call"
done

echo "$((n - fail))/$n Fuchsia-program checks passed"
[ "$fail" = 0 ]
