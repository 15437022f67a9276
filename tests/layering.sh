#!/usr/bin/env bash
# The layers' dependency rules (DESIGN.md section 2), checked on the sources and on the built
# kernel. Arrows point down: launcher/ -> kobj/ -> mm/ -> host/platform.h <- host/sv/.
#  (a) kobj/ and mm/ include no host/ header but host/platform.h and no launcher/ header; mm/
#      includes no kobj/ header;
#  (b) host/ includes no kobj/, mm/ or launcher/ header;
#  (c) host/guest/ (code running inside guests) includes only host/guest/ and host/common/
#      headers of this tree (and abi/'s, system headers);
#  (d) host/common/ (Linux code both sides run) includes only its own headers of this tree (and
#      abi/'s, system headers): nothing of host/sv/, host/guest/, host/platform.h, the kernel or
#      the launcher;
#  (e) host/sv/ (the supervisor's side) includes nothing of host/guest/;
#  (f) the kernel library (libzumkernel) needs nothing from outside but the C library functions
#      pure logic uses: a Linux system call, or a host/ function, in kobj/ or mm/ fails here.
#      The platform reaches the kernel through the `platform` table, defined inside the kernel.
# Every offending line is printed.
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
NM=${NM:-nm}
fail=0

# Includes ("dir/file.h" or <dir/file.h>) of the C and assembly files under $1 whose path
# matches the extended regex $2 at its start.
includes() {
  local dir=$1 pattern=$2
  (cd "$srcdir" && grep -rnE --include='*.c' --include='*.h' --include='*.S' \
    "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($pattern)" "$dir")
}
# This tree's own directories (a header of abi/ is included by its public name, <zircon/...>,
# <zum/...>, never by these).
tree='host/|kobj/|mm/|launcher/|tests/'

report() {
  local rule=$1 out=$2
  if [ -n "$out" ]; then
    echo "FAIL ($rule):"
    printf '%s\n' "$out" | sed 's/^/    /'
    fail=1
  fi
}

# (a) The kernel: host/platform.h is its only door to the host.
out=$( (includes kobj 'host/|launcher/'; includes mm 'host/|launcher/|kobj/') |
  grep -v '"host/platform\.h"')
report "kobj/ and mm/ include only host/platform.h of host/, nothing of launcher/; mm/ nothing of kobj/" "$out"

# (b) The host side never imports the kernel or the supervisor.
out=$(includes host 'kobj/|mm/|launcher/')
report "host/ includes nothing of kobj/, mm/ or launcher/" "$out"

# (c) Code running inside guests stays out of the supervisor and the platform.
out=$(includes host/guest "$tree" | grep -vE '[\"<]host/(guest|common)/')
report "host/guest/ includes only host/guest/ and host/common/ of this tree" "$out"

# (d) What both sides run depends on neither side.
out=$(includes host/common "$tree" | grep -vE '[\"<]host/common/')
report "host/common/ includes only host/common/ of this tree" "$out"

# (e) The supervisor's side does not reach into the guests' code.
out=$(includes host/sv 'host/guest/')
report "host/sv/ includes nothing of host/guest/" "$out"

# (f) What the kernel's objects leave undefined, against what pure logic may use.
allowed='
  memchr memcmp memcpy memmove memset
  strchr strcmp strlen strncmp strncpy strnlen strrchr
  malloc calloc realloc free
  snprintf vsnprintf
  qsort bsearch
  random
  abort __assert_fail __stack_chk_fail
  __memcpy_chk __memmove_chk __memset_chk __snprintf_chk __vsnprintf_chk __strncpy_chk
  _GLOBAL_OFFSET_TABLE_
  __divti3
'
# (__divti3: the compiler's own 128-bit division, for clock transforms that must not overflow.)
lib="$builddir/.libs/libzumkernel.a"
if [ ! -f "$lib" ]; then
  echo "FAIL (kernel symbols): $lib is missing (build the kernel first)"
  fail=1
else
  defined=$($NM -A --defined-only "$lib" 2>/dev/null | awk '{print $NF}' | sort -u)
  undefined=$($NM -A -u "$lib" 2>/dev/null |
    awk '{o = $1; sub(/:$/, "", o); sub(/^.*:/, "", o); print $NF, o}' | sort -u)
  out=$(printf '%s\n' "$undefined" | while read -r sym obj; do
    [ -n "$sym" ] || continue
    printf '%s\n' "$defined" | grep -qxF -- "$sym" && continue
    case " $(echo $allowed) " in *" $sym "*) continue ;; esac
    # Instrumentation of sanitizer and coverage builds.
    case $sym in __asan_* | __ubsan_* | __sanitizer_* | __lsan_* | __gcov_* | __tsan_*) continue ;; esac
    echo "$obj: $sym"
  done)
  report "libzumkernel needs only allowed C library functions (object: symbol)" "$out"
fi

[ $fail = 0 ] && echo "layering: every include arrow points down; the kernel needs nothing of the host"
exit $fail
