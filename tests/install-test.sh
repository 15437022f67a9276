#!/usr/bin/env bash
# The installed tree works on its own: `make install DESTDIR=<tmp>` (no root needed), then
#   - every public file is there (bin/zum, include/zircon/**.h, include/zum/zum.h, libzum.so/.a,
#     libzircon.so, lib/pkgconfig/zum.pc) and every installed header compiles on its own;
#   - the vDSO has its shape: two PT_LOAD (R, then R E), no relocations, no DT_NEEDED, SONAME
#     libzircon.so, DT_GNU_HASH, and _zx_<name> (global) + zx_<name> (weak) for every call in
#     abi/syscalls.txt (_zum_<name> only for P-flagged ones; none at all for H or S ones, which
#     only zum's runtime reaches, with its own trap), nothing undefined, nothing else
#     exported but zx_/_zx_/_zum_ names;
#   - libzum exports only the public API and finds libzircon.so beside itself
#     (tests/libzum-exports.sh);
#   - a hosted program built with `cc $(pkg-config --cflags --libs zum)` against the tree runs
#     bare and under the installed `zum run`, loading only the installed libraries; so does one
#     that makes no zx_ call (its --as-needed link drops libzircon.so; libzum must stay and load
#     it), bare starting the installed bin/zum as its supervisor;
#   - the same after MOVING the tree elsewhere (zum.pc finds its prefix from ${pcfiledir}).
#
# Run by `make check` (TESTS), or by hand from a configured build directory:
#   builddir=$PWD srcdir=.. ../tests/install-test.sh
# Environment: builddir, srcdir (defaults: the current directory, this script's parent), CC,
# ZUM_SAN_CFLAGS (the sanitizer flags the tree was built with: a program linked against an
# ASan-built libzum must be built with them too), MAKE.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${srcdir:-$here/..}" && pwd)
builddir=$(cd "${builddir:-.}" && pwd)
read -ra cc <<<"${CC:-cc}"
MAKE=${MAKE:-make}
san_cflags=${ZUM_SAN_CFLAGS:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zum-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
pass() { echo "ok: $*"; }

# ---- install into a staging directory
stage=$tmp/stage
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -C "$builddir" install DESTDIR="$stage" \
  >"$tmp/install.log" 2>&1; then
  echo "FAIL: make install DESTDIR=$stage"
  cat "$tmp/install.log"
  exit 1
fi
zum_bin=$(find "$stage" -path '*/bin/zum' -type f | head -n1)
[ -n "$zum_bin" ] || { echo "FAIL: no bin/zum installed"; exit 1; }
root=$(dirname "$(dirname "$zum_bin")")
echo "installed tree: ${root#"$stage"} (staged in $stage)"

# ---- the files
check_files() {
  local r=$1 f
  for f in bin/zum include/zum/zum.h include/zircon/syscalls/zx-cdecls.h lib/libzum.so lib/libzum.a \
    lib/libzircon.so lib/pkgconfig/zum.pc; do
    [ -e "$r/$f" ] || fail "$f is not installed"
  done
  [ -x "$r/bin/zum" ] || fail "bin/zum is not executable"
  # Every public header in the source tree is installed.
  while IFS= read -r f; do
    [ -f "$r/include/${f#"$srcdir/abi/include/"}" ] || fail "${f#"$srcdir/"} is not installed"
  done < <(find "$srcdir/abi/include/zircon" -name '*.h')
  # ... and compiles on its own (but zx-cdecls.h, which only <zircon/syscalls.h> includes, as
  # in Fuchsia).
  local h
  while IFS= read -r h; do
    h=${h#"$r/include/"}
    [ "$h" = zircon/syscalls/zx-cdecls.h ] && continue
    printf '#include <%s>\n' "$h" >"$tmp/one.c"
    "${cc[@]}" -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$r/include" "$tmp/one.c" 2>"$tmp/cc.log" ||
      { fail "<$h> does not compile on its own"; head -n 8 "$tmp/cc.log" | sed 's/^/    /'; }
  done < <(find "$r/include" -name '*.h' | sort)
}
check_files "$root"
[ "$fails" = 0 ] && pass "installed files"

# ---- the vDSO's shape
check_vdso() {
  local so=$1 before=$fails
  local loads
  loads=$(readelf -lW "$so" | awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f (f == "" ? "" : " ") $i; print f }')
  [ "$loads" = $'R\nR E' ] || fail "vDSO PT_LOADs are [$(echo $loads)], expected exactly two: R then R E"
  readelf -rW "$so" | grep -q 'There are no relocations in this file' ||
    fail "vDSO has relocations: $(readelf -rW "$so" | head -5)"
  local dyn
  dyn=$(readelf -dW "$so")
  grep -q '(SONAME).*\[libzircon\.so\]' <<<"$dyn" || fail "vDSO SONAME is not libzircon.so"
  grep -q '(GNU_HASH)' <<<"$dyn" || fail "vDSO has no DT_GNU_HASH"
  grep -q '(NEEDED)' <<<"$dyn" && fail "vDSO needs other libraries: $(grep '(NEEDED)' <<<"$dyn")"
  grep -q '(TEXTREL)' <<<"$dyn" && fail "vDSO has text relocations"
  # name bind type ndx, for every dynamic symbol
  local syms
  syms=$(readelf -W --dyn-syms "$so" | awk '$1 ~ /^[0-9]+:$/ && $8 != "" { print $8, $5, $4, $7 }')
  local undef
  undef=$(awk '$4 == "UND" { print $1 }' <<<"$syms")
  [ -z "$undef" ] || fail "vDSO has undefined symbols: $undef"
  local other
  other=$(awk '$1 !~ /^(_?zx_|_zum_)/ { print $1 }' <<<"$syms")
  [ -z "$other" ] || fail "vDSO exports names outside zx_/_zx_/_zum_: $(echo $other)"
  local flags name n=0
  while read -r flags name; do
    n=$((n + 1))
    if [[ $flags == *[HS]* ]]; then
      grep -qE "^(_?zx|_zum)_$name " <<<"$syms" && fail "vDSO exports $flags-flagged $name"
    elif [[ $flags == *P* ]]; then
      grep -qx "_zum_$name GLOBAL FUNC [0-9]*" <<<"$syms" || fail "vDSO lacks global _zum_$name"
      grep -q "^_\?zx_$name " <<<"$syms" && fail "vDSO exports zum-private $name as a zx_ name"
    else
      grep -qx "_zx_$name GLOBAL FUNC [0-9]*" <<<"$syms" || fail "vDSO lacks global _zx_$name"
      grep -qx "zx_$name WEAK FUNC [0-9]*" <<<"$syms" || fail "vDSO lacks weak zx_$name"
    fi
  done < <(sed -E -n 's/^([A-Z]+)[[:space:]].*[^a-z0-9_]([a-z0-9_]+)\(.*$/\1 \2/p' "$srcdir/abi/syscalls.txt")
  [ "$n" -gt 20 ] || fail "read only $n calls from abi/syscalls.txt"
  [ "$fails" = "$before" ] && pass "vDSO shape ($n calls in abi/syscalls.txt)"
  return 0
}
check_vdso "$root/lib/libzircon.so"

bash "$srcdir/tests/libzum-exports.sh" "$root/lib/libzum.so" || fail "libzum's exports"

# run_bare_and_under_zum ROOT PROG OKLINE WHAT WHERE: runs PROG bare and under ROOT's zum (no
# LD_LIBRARY_PATH: the tree must find its own libraries); each must exit 0 printing OKLINE.
run_bare_and_under_zum() {
  local r=$1 prog=$2 okline=$3 what=$4 where=$5 out rc how
  for how in bare zum; do
    if [ $how = bare ]; then out=$(env -u LD_LIBRARY_PATH timeout 60 "$prog" 2>&1) && rc=0 || rc=$?
    else out=$(env -u LD_LIBRARY_PATH timeout 60 "$r/bin/zum" run "$prog" 2>&1) && rc=0 || rc=$?; fi
    [ "$rc" = 0 ] && grep -qx "$okline" <<<"$out" ||
      { fail "$how run of $what exited $rc ($where)"; sed 's/^/    /' <<<"$out"; }
  done
  return 0
}

# ---- a program that makes no zx_ call, linked --as-needed, against the tree at $1
build_and_run_nozx() {
  local r=$1 where=$2 before=$fails flags out rc
  flags=$(env PKG_CONFIG_PATH="$r/lib/pkgconfig" pkg-config --cflags --libs zum)
  rm -f "$tmp/nozx"
  # shellcheck disable=SC2086
  if ! "${cc[@]}" $san_cflags "$srcdir/tests/install-nozx.c" -Wl,--as-needed $flags \
    -o "$tmp/nozx" 2>"$tmp/cc.log"; then
    fail "cannot build a program without zx_ calls ($where)"
    head -n 20 "$tmp/cc.log" | sed 's/^/    /'
    return 0
  fi
  readelf -dW "$tmp/nozx" | grep -q '(NEEDED).*\[libzum\.so' ||
    fail "--as-needed dropped libzum from a program without zx_ calls ($where)"
  run_bare_and_under_zum "$r" "$tmp/nozx" 'install-nozx: ok' "a program without zx_ calls" "$where"
  [ "$fails" = "$before" ] && pass "a program without zx_ calls runs bare and under zum ($where)"
  return 0
}

# ---- build and run a hosted program against the tree at $1
build_and_run() {
  local r=$1 where=$2 before=$fails
  local pc="env PKG_CONFIG_PATH=$r/lib/pkgconfig pkg-config"
  $pc --exists zum || { fail "pkg-config cannot find zum in $r/lib/pkgconfig ($where)"; return 0; }
  local flags
  flags=$($pc --cflags --libs zum)
  case " $flags " in *"$r/include"* | *"$r/lib"*) ;; *) fail "pkg-config flags do not name $r: $flags" ;; esac
  rm -f "$tmp/hello"
  # --as-needed as Ubuntu's compiler passes by default: libzum must stay linked (its constructor
  # sets the process up) even though the program calls only zx_ functions from libzircon.so.
  # shellcheck disable=SC2086
  if ! "${cc[@]}" $san_cflags "$srcdir/tests/install-hello.c" -Wl,--as-needed $flags -o "$tmp/hello" \
    2>"$tmp/cc.log"; then
    fail "cannot build a hosted program with pkg-config ($where)"
    head -n 20 "$tmp/cc.log" | sed 's/^/    /'
    return 0
  fi
  # shellcheck disable=SC2086
  "${cc[@]}" $san_cflags "$srcdir/examples/demo.c" $flags -o "$tmp/demo" 2>"$tmp/cc.log" ||
    { fail "cannot build examples/demo.c against the tree ($where)"; head -n 20 "$tmp/cc.log" | sed 's/^/    /'; }
  # Only the installed libraries are loaded: nothing from the build directory.
  local lib
  for lib in libzum.so libzircon.so; do
    local path
    path=$(env -u LD_LIBRARY_PATH ldd "$tmp/hello" | awk -v l="$lib" '$1 ~ "^" l { print $3 }')
    [ "$path" = "$r/lib/$lib" ] || [ "$(readlink -f "$path")" = "$(readlink -f "$r/lib/$lib")" ] ||
      fail "$lib resolves to '$path', not $r/lib/$lib ($where)"
  done
  run_bare_and_under_zum "$r" "$tmp/hello" 'install-hello: ok' "the pkg-config program" "$where"
  [ "$fails" = "$before" ] && pass "hosted program built with pkg-config runs bare and under zum ($where)"
  return 0
}
build_and_run "$root" "installed tree"
build_and_run_nozx "$root" "installed tree"

# ---- move the tree and do it again
moved=$tmp/elsewhere/zum-moved
mkdir -p "$(dirname "$moved")"
mv "$root" "$moved"
check_files "$moved"
build_and_run "$moved" "moved tree"
build_and_run_nozx "$moved" "moved tree"

if [ "$fails" != 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all install checks passed"
