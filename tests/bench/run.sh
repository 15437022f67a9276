#!/usr/bin/env bash
# `make bench`: runs the bench programs and prints one line per metric,
#   <metric> zum <value> <unit> baseline <value> <unit> ratio <zum/baseline>
# with every baseline measured in the same run. Each program reports medians of 7 repetitions;
# this script runs all of them BENCH_ROUNDS times (default 3), interleaved so that load or clock
# changes during the run hit zum and its baselines alike, and prints the median of the rounds.
# Nothing is pinned to a CPU (zum's users do not pin; see DESIGN.md section 3, "Transport").
#
#   null_call         zx_handle_duplicate + zx_handle_close, per call, vs one bare seccomp
#                     user-notification round trip (SYNC_WAKE_UP, listener blocked in NOTIF_RECV)
#   vdso_call         zx_clock_get_monotonic vs clock_gettime(CLOCK_MONOTONIC)
#   channel_pingpong  one channel round trip between two hosted processes vs two bare round trips
#   channel_pingpong_exchange  the same round trip vs the same six traps (two of them parked) on
#                     the bare transport with a do-nothing supervisor: zum's own share
#   usernotif_*       transport variants (tests/bench/transport.c) vs the same bare round trip
#   vmo_create_map_touch_unmap_close  zx_vmo_create + zx_vmar_map + touch + unmap + close vs
#                     memfd_create + ftruncate + mmap + touch + munmap + close
#   vmar_map_unmap_readonly_handle  map(READ) + unmap of a VMO through a handle without
#                     ZX_RIGHT_WRITE (its memfd reopened read-only for the guest) vs through one
#                     with it (the memfd duplicated)
#   vmar_map_unmap_other_process  map + unmap of a VMO in another process's VMAR vs an fd sent
#                     with SCM_RIGHTS to another process that maps, answers, then unmaps
#   pure_process_create_start_exit_wait  a minimal pure process's whole life vs fork + execve +
#                     waitpid of a minimal static Linux binary
#   shared_region_map_unmap_<N>_members  map + unmap of one page in the shared region of a
#                     group of N shared processes (N = 1, 4, 16; every member applies each change
#                     before the call returns) vs the same in a non-shared pure process
#   vmo_clone_1m / vmo_clone_1g  zx_vmo_create_child(SNAPSHOT) + close of a written 1 MiB / 1 GiB
#                     VMO vs memfd_create + ftruncate + close (must not depend on the size)
#   cow_fault_page    one isolated first-touch write fault on a page of a mapped snapshot (only
#                     the write timed) vs a copy-on-write fault on a MAP_PRIVATE mapping of a
#                     written memfd
#   cow_map_write_page  per page: map a 64-page snapshot, write every page, unmap vs the same
#                     writes to a MAP_PRIVATE mapping of a memfd (copy-on-write faults)
#   cow_seq_touch_256m  the same per page over a 256 MiB snapshot
#   *_fallback        the cow lines again with ZUM_NO_UFFD=1: the supervisor's eager fallback
#                     (every page holding data copied when the snapshot is mapped), baselines
#                     measured in that run; also what a run without userfaultfd reports
#   uring_*           (built with liburing; tests/bench/uring.c) the supervisor's copies through
#                     io_uring ("zum" column: the candidate) vs the system calls zum makes:
#                     uring_vmo_read_4x64 (4 small memfd reads in one submit vs 4 preads),
#                     uring_vmo_read_4k (one 4 KiB memfd read vs pread), uring_guest_read_4x64
#                     (4 small reads of /proc/PID/mem in one submit vs 4 process_vm_readv)
#   futex_pingpong    one round trip of two threads of a pure process through one futex
#                     (zx_futex_wait + zx_futex_wake on each side; tests/fuchsia/futex.c bench)
#                     vs the same with Linux futexes (tests/bench/futex_native.c)
#   guest_read_4x64_one_readv  the same 4 guest reads as one process_vm_readv with 4 remote
#                     iovecs vs 4 process_vm_readv (batching without io_uring)
#
# Environment: ZUM (the zum binary), BENCH (the built tests/bench directory), BENCH_ROUNDS,
# BENCH_QUICK=1 (short loops, for checking that the programs run; numbers are noisier).
set -u
ZUM=${ZUM:?} BENCH=${BENCH:?}
rounds=${BENCH_ROUNDS:-3}
quick=()
[ "${BENCH_QUICK:-0}" = 1 ] && quick=(--quick)

raw=$(mktemp) err=$(mktemp)
trap 'rm -f "$raw" "$err"' EXIT
failed=0

# run LABEL CMD...: appends the program's `key value` lines to $raw.
run() {
  local label=$1 out rc
  shift
  out=$(timeout 300 "$@" 2>"$err")
  rc=$?
  if [ $rc != 0 ]; then
    echo "bench: $label failed (exit $rc):" >&2
    sed 's/^/    /' "$err" >&2
    failed=1
  fi
  printf '%s\n' "$out" | grep -E '^[a-z0-9_]+ [0-9.]+$' >>"$raw"
}

for ((i = 0; i < rounds; i++)); do
  run transport "$BENCH/transport" "${quick[@]}"
  run calls "$ZUM" run "$BENCH/calls" "${quick[@]}"
  run pingpong "$ZUM" run "$BENCH/pingpong" "${quick[@]}"
  run vm "$ZUM" run "$BENCH/vm" "${quick[@]}"
  run proc "$ZUM" run "$BENCH/proc" "${quick[@]}"
  run shared "$ZUM" run "$BENCH/shared" "${quick[@]}"
  run cow "$ZUM" run "$BENCH/cow" "${quick[@]}"
  run cow_fallback env ZUM_NO_UFFD=1 "$ZUM" run "$BENCH/cow" "${quick[@]}"
  [ -x "$BENCH/uring" ] && run uring "$BENCH/uring" "${quick[@]}"
  # The pure program writes its line with zx_debug_write, which zum prints on stderr.
  if [ -f "${FUCHSIA:-}/futex.elf" ]; then
    run futex sh -c 'exec "$@" 2>&1' sh "$ZUM" run "$FUCHSIA/futex.elf" bench \
      "$([ ${#quick[@]} = 0 ] && echo 2000 || echo 200)"
    run futex_native "$BENCH/futex_native" "${quick[@]}"
  fi
done

awk '
  { v[$1] = v[$1] " " $2 }
  function median(k,   a, n, i, j, t) {
    if (!(k in v)) return -1
    n = split(v[k], a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  # line(metric, zum value, baseline value, unit, scale): values are in ns; scale converts.
  function line(m, z, b, unit, scale, fmt) {
    if (z < 0 || b <= 0) { printf "bench: %s: no result\n", m > "/dev/stderr"; return }
    fmt = unit == "ns" ? "%.1f" : "%.2f"
    printf "%s zum " fmt " %s baseline " fmt " %s ratio %.2f\n", m, z / scale, unit, b / scale, unit, z / b
  }
  END {
    rt = median("usernotif_sync_recv_ns")
    line("null_call", median("null_call_ns"), rt, "us", 1000)
    line("vdso_call", median("vdso_zx_ns"), median("vdso_linux_ns"), "ns", 1)
    pp = median("channel_pingpong_ns")
    line("channel_pingpong", pp, rt > 0 ? 2 * rt : -1, "us", 1000)
    line("channel_pingpong_exchange", pp, median("usernotif_exchange_ns"), "us", 1000)
    line("usernotif_sync_epoll", median("usernotif_sync_epoll_ns"), rt, "us", 1000)
    line("usernotif_nosync", median("usernotif_nosync_recv_ns"), rt, "us", 1000)
    line("usernotif_nosync_epoll", median("usernotif_nosync_epoll_ns"), rt, "us", 1000)
    line("vmo_create_map_touch_unmap_close", median("vmo_cycle_ns"), median("native_vmo_cycle_ns"), "us", 1000)
    line("vmar_map_unmap_readonly_handle", median("ro_map_ns"), median("rw_map_ns"), "us", 1000)
    line("vmar_map_unmap_other_process", median("remote_map_ns"), median("native_remote_map_ns"), "us", 1000)
    line("pure_process_create_start_exit_wait", median("pure_process_ns"), median("native_process_ns"), "us", 1000)
    pm = median("pure_map_unmap_ns")
    line("shared_region_map_unmap_1_member", median("shared_one_map_unmap_ns"), pm, "us", 1000)
    line("shared_region_map_unmap_4_members", median("shared_four_map_unmap_ns"), pm, "us", 1000)
    line("shared_region_map_unmap_16_members", median("shared_sixteen_map_unmap_ns"), pm, "us", 1000)
    mf = median("native_memfd_ns")
    line("vmo_clone_1m", median("clone_mib_ns"), mf, "us", 1000)
    line("vmo_clone_1g", median("clone_gib_ns"), mf, "us", 1000)
    line("cow_fault_page", median("cow_fault_ns"), median("native_cow_fault_ns"), "us", 1000)
    line("cow_map_write_page", median("cow_page_ns"), median("native_cow_page_ns"), "us", 1000)
    line("cow_seq_touch_256m", median("cow_seq_ns"), median("native_cow_seq_ns"), "us", 1000)
    line("cow_fault_page_fallback", median("fb_cow_fault_ns"), median("fb_native_cow_fault_ns"), "us", 1000)
    line("cow_map_write_page_fallback", median("fb_cow_page_ns"), median("fb_native_cow_page_ns"), "us", 1000)
    line("cow_seq_touch_256m_fallback", median("fb_cow_seq_ns"), median("fb_native_cow_seq_ns"), "us", 1000)
    # Only when tests/fuchsia/futex.elf was built (clang and lld).
    if (median("futex_pingpong_ns") >= 0)
      line("futex_pingpong", median("futex_pingpong_ns"), median("native_futex_pingpong_ns"), "us", 1000)
    # Only when tests/bench/uring was built (liburing) and io_uring is available.
    if (median("uring_pread_4k_ns") >= 0) {
      line("uring_vmo_read_4x64", median("uring_ring_4x64_ns"), median("uring_pread_4x64_ns"), "us", 1000)
      line("uring_vmo_read_4k", median("uring_ring_4k_ns"), median("uring_pread_4k_ns"), "us", 1000)
      line("uring_guest_read_4x64", median("uring_ring_mem_4x64_ns"), median("uring_vmreadv_4x64_ns"), "us", 1000)
      line("guest_read_4x64_one_readv", median("uring_vmreadv_1x4_ns"), median("uring_vmreadv_4x64_ns"), "us", 1000)
    }
  }
' "$raw"
exit $failed
