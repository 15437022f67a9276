/* Resources and the calls behind them, through the real trap. Without a resource (the default
 * run) every privileged call answers as Zircon's does for no handle (BAD_HANDLE) and for a
 * handle that is not a resource (WRONG_TYPE). Run with the root resource (`zum run
 * --root-resource`, ZUM_ROOT_RESOURCE=1 bare: tests/privileged.sh) it also checks creation
 * rules, ZX_INFO_RESOURCE, wrong-kind and out-of-range resources, and the answers of a machine
 * without the hardware. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/log.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>

#include "guest_test.h"

/* Every resource-taking call made with `h`, each expected to answer `want`. */
static void privileged_calls(zx_handle_t h, zx_status_t want) {
  zx_handle_t out = ZX_HANDLE_INVALID, out2 = ZX_HANDLE_INVALID;
  zx_cpu_performance_info_t perf[512];
  size_t n = 0;
  char buf[64] = {0};
  zx_profile_info_t pi;
  memset(&pi, 0, sizeof(pi));
  pi.flags = ZX_PROFILE_INFO_FLAG_PRIORITY;
  pi.priority = ZX_PRIORITY_DEFAULT;
  CHECK_EQ(zx_resource_create(h, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, NULL, 0, &out),
           want);
  CHECK_EQ(zx_debuglog_create(h, ZX_LOG_FLAG_READABLE, &out), want);
  CHECK_EQ(zx_system_get_performance_info(h, ZX_CPU_PERF_SCALE, zx_system_get_num_cpus(), perf,
                                          &n),
           want);
  CHECK_EQ(zx_system_set_performance_info(h, ZX_CPU_PERF_SCALE, perf, 1), want);
  CHECK_EQ(zx_system_powerctl(h, ZX_SYSTEM_POWERCTL_ENABLE_ALL_CPUS, NULL), want);
  CHECK_EQ(zx_profile_create(h, 0, &pi, &out), want);
  CHECK_EQ(zx_interrupt_create(h, 1, 0, &out), want);
  CHECK_EQ(zx_iommu_create(h, 0, buf, 1, &out), want);
  CHECK_EQ(zx_ioports_request(h, 0x80, 1), want);
  CHECK_EQ(zx_ioports_release(h, 0x80, 1), want);
  zx_smc_parameters_t sp;
  zx_smc_result_t sr;
  memset(&sp, 0, sizeof(sp));
  CHECK_EQ(zx_smc_call(h, &sp, &sr), want);
  CHECK_EQ(zx_vmo_create_physical(h, 0x1000, 4096, &out), want);
  CHECK_EQ(zx_msi_allocate(h, 1, &out), want);
  CHECK_EQ(zx_guest_create(h, 0, &out, &out2), want);
  uint32_t a, b, c, d;
  CHECK_EQ(zx_framebuffer_get_info(h, &a, &b, &c, &d), want);
  CHECK_EQ(zx_framebuffer_set_range(h, ZX_HANDLE_INVALID, 0, 0, 0, 0, 0), want);
}

/* The calls that take objects zum never makes: any handle is the wrong type. */
static void absent_objects(zx_handle_t ev) {
  zx_handle_t out;
  zx_time_t t;
  zx_port_packet_t pkt;
  zx_paddr_t pa;
  char buf[8];
  CHECK_EQ(zx_interrupt_bind(ev, ZX_HANDLE_INVALID, 0, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_bind(ev, ZX_HANDLE_INVALID, 0, 7), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_wait(ev, &t), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_destroy(ev), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_ack(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_interrupt_trigger(ev, 1, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_trigger(ev, 0, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_bti_create(ev, 1, 0, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_bti_create(ev, 0, 0, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_bti_pin(ev, ZX_BTI_PERM_READ, ev, 0, 4096, &pa, 1, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_bti_release_quarantine(ev), ZX_ERR_WRONG_TYPE);
  /* pmt_unpin takes the handle away before it looks at its type. */
  zx_handle_t dup;
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
  CHECK_EQ(zx_pmt_unpin(dup), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(dup), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_pmt_unpin(dup), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_create_contiguous(ev, 0, 0, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_contiguous(ev, 4096, 3, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_contiguous(ev, 4096, 0, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_msi_create(ev, 0, 0, ev, 0, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_guest_set_trap(ev, 0, 0, 4096, ZX_HANDLE_INVALID, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_create(ev, 1, 0, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vcpu_create(ev, 0, 0, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_enter(ev, &pkt), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_kick(ev), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_interrupt(ev, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_read_state(ev, 0, buf, sizeof(buf)), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vcpu_write_state(ev, 0, buf, sizeof(buf)), ZX_ERR_WRONG_TYPE);
}

/* The debugging calls Zircon gates on a boot option zum runs without: NOT_SUPPORTED first. */
static void debugging_calls(zx_handle_t h) {
  char buf[16];
  size_t n;
  CHECK_EQ(zx_debug_read(h, buf, sizeof(buf), &n), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_debug_send_command(h, "help", 4), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_ktrace_read(h, buf, 0, sizeof(buf), &n), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_ktrace_control(h, 0, 0, NULL), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_mtrace_control(h, 0, 0, 0, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_system_mexec(h, ZX_HANDLE_INVALID, ZX_HANDLE_INVALID), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_system_mexec_payload_get(h, buf, sizeof(buf)), ZX_ERR_NOT_SUPPORTED);
}

static zx_handle_t child(zx_handle_t parent, uint32_t kind, uint64_t base, uint64_t size) {
  zx_handle_t r = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_resource_create(parent, kind, base, size, "child", 5, &r), ZX_OK);
  return r;
}

/* Every resource-taking call with the root resource itself: it passes every check, so what
 * answers is zum's machine (or the call works). */
static void root_answers(zx_handle_t root) {
  zx_handle_t out = ZX_HANDLE_INVALID, out2 = ZX_HANDLE_INVALID;
  zx_cpu_performance_info_t perf[512];
  size_t n = 0;
  char buf[8] = {0};
  zx_profile_info_t pi;
  memset(&pi, 0, sizeof(pi));
  pi.flags = ZX_PROFILE_INFO_FLAG_PRIORITY;
  pi.priority = ZX_PRIORITY_DEFAULT;
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, NULL, 0, &out),
           ZX_OK);
  CHECK_EQ(zx_debuglog_create(root, ZX_LOG_FLAG_READABLE, &out), ZX_OK);
  CHECK_EQ(zx_system_get_performance_info(root, ZX_CPU_PERF_SCALE, zx_system_get_num_cpus(), perf,
                                          &n),
           ZX_OK);
  CHECK_EQ(zx_system_set_performance_info(root, ZX_CPU_PERF_SCALE, perf, 1), ZX_OK);
  CHECK_EQ(zx_system_powerctl(root, ZX_SYSTEM_POWERCTL_ENABLE_ALL_CPUS, NULL), ZX_OK);
  CHECK_EQ(zx_system_powerctl(root, ZX_SYSTEM_POWERCTL_DISABLE_ALL_CPUS_BUT_PRIMARY, NULL),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_system_powerctl(root, ZX_SYSTEM_POWERCTL_ACK_KERNEL_INITIATED_REBOOT, NULL),
           ZX_ERR_BAD_STATE);
  zx_system_powerctl_arg_t arg;
  memset(&arg, 0, sizeof(arg));
  CHECK_EQ(zx_system_powerctl(root, ZX_SYSTEM_POWERCTL_X86_SET_PKG_PL1, &arg),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_profile_create(root, 0, &pi, &out), ZX_OK);
  CHECK_EQ(zx_interrupt_create(root, 1, 0, &out), ZX_ERR_INVALID_ARGS); /* no wired vector */
  CHECK_EQ(zx_iommu_create(root, 0, buf, 1, &out), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_ioports_request(root, 0x80, 1), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_ioports_release(root, 0x80, 1), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_create_physical(root, 0x1000, 4096, &out), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_msi_allocate(root, 1, &out), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_guest_create(root, 0, &out, &out2), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_framebuffer_set_range(root, ZX_HANDLE_INVALID, 0, 0, 0, 0, 0), ZX_OK);
}

static void with_root(zx_handle_t root) {
  root_answers(root);
  zx_info_resource_t info;
  zx_info_handle_basic_t basic;
  CHECK_EQ(zx_object_get_info(root, ZX_INFO_RESOURCE, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.kind, ZX_RSRC_KIND_ROOT);
  CHECK_EQ(zx_object_get_info(root, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL),
           ZX_OK);
  CHECK_EQ(basic.type, ZX_OBJ_TYPE_RESOURCE);
  CHECK_EQ(basic.rights, ZX_DEFAULT_RESOURCE_RIGHTS);
  /* The ranged roots arrive with it, as userboot gets them; there is no SMC on x86. */
  zx_handle_t sys = zx_take_startup_handle(PA_HND(PA_SYSTEM_RESOURCE, 0));
  zx_handle_t irq = zx_take_startup_handle(PA_HND(PA_IRQ_RESOURCE, 0));
  zx_handle_t io = zx_take_startup_handle(PA_HND(PA_IOPORT_RESOURCE, 0));
  CHECK(sys != ZX_HANDLE_INVALID && irq != ZX_HANDLE_INVALID && io != ZX_HANDLE_INVALID);
  CHECK(zx_take_startup_handle(PA_HND(PA_MMIO_RESOURCE, 0)) != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_take_startup_handle(PA_HND(PA_SMC_RESOURCE, 0)), ZX_HANDLE_INVALID);
  CHECK_EQ(zx_object_get_info(sys, ZX_INFO_RESOURCE, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.kind, ZX_RSRC_KIND_SYSTEM);
  CHECK_EQ(info.size, 0);

  /* Creation: WRITE on the parent, known kinds and flags, the parent's range, exclusivity. */
  zx_handle_t r, ro;
  CHECK_EQ(zx_handle_duplicate(root, ZX_RIGHT_TRANSFER, &ro), ZX_OK);
  CHECK_EQ(zx_resource_create(ro, ZX_RSRC_KIND_IRQ, 1, 1, NULL, 0, &r), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_info(ro, ZX_INFO_RESOURCE, &info, sizeof(info), NULL, NULL),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_resource_create(root, 9, 0, 1, NULL, 0, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_IRQ | 0x20000, 1, 1, NULL, 0, &r),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_MMIO, 0x1000, 0x1000, NULL, 0, &r),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_SMC, 0, 1, NULL, 0, &r), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_IRQ, 300, 1, NULL, 0, &r), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_IRQ, 1, 1, (const char*)8, 4, &r),
           ZX_ERR_INVALID_ARGS);
  zx_handle_t io_x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_resource_create(io, ZX_RSRC_KIND_IOPORT | ZX_RSRC_FLAG_EXCLUSIVE, 0x3f8, 8,
                              "com1", 4, &io_x),
           ZX_OK);
  CHECK_EQ(zx_resource_create(root, ZX_RSRC_KIND_IOPORT, 0x3fc, 1, NULL, 0, &r), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_object_get_info(io_x, ZX_INFO_RESOURCE, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.flags, ZX_RSRC_FLAG_EXCLUSIVE);
  CHECK_EQ(info.base, 0x3f8);
  CHECK_EQ(info.size, 8);
  CHECK(strcmp(info.name, "com1") == 0);
  /* A slice of a slice: within the parent, never exclusive. */
  zx_handle_t io_s = child(io, ZX_RSRC_KIND_IOPORT, 0x100, 0x10);
  zx_handle_t io_ss = child(io_s, ZX_RSRC_KIND_IOPORT, 0x104, 4);
  CHECK_EQ(zx_resource_create(io_s, ZX_RSRC_KIND_IOPORT, 0x10c, 8, NULL, 0, &r),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_resource_create(io_s, ZX_RSRC_KIND_IOPORT | ZX_RSRC_FLAG_EXCLUSIVE, 0x100, 1, NULL,
                              0, &r),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_resource_create(io_x, ZX_RSRC_KIND_IOPORT, 0x3f8, 1, NULL, 0, &r),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_resource_create(io_s, ZX_RSRC_KIND_IRQ, 0x100, 1, NULL, 0, &r), ZX_ERR_ACCESS_DENIED);

  /* The same call with the right resource, a wrong-kind one and an out-of-range one. */
  zx_handle_t cpu = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_CPU_BASE, 1);
  zx_handle_t dlog = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUGLOG_BASE, 1);
  zx_handle_t irq1 = child(irq, ZX_RSRC_KIND_IRQ, 1, 1);
  uint32_t ncpu = zx_system_get_num_cpus();
  zx_cpu_performance_info_t perf[512];
  size_t n = 0;
  CHECK_EQ(zx_system_get_performance_info(cpu, ZX_CPU_PERF_SCALE, ncpu, perf, &n), ZX_OK);
  CHECK_EQ(n, ncpu);
  CHECK_EQ(perf[0].performance_scale.integral_part, 1);
  CHECK_EQ(zx_system_get_performance_info(irq1, ZX_CPU_PERF_SCALE, ncpu, perf, &n),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_system_get_performance_info(dlog, ZX_CPU_PERF_SCALE, ncpu, perf, &n),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_system_get_performance_info(cpu, ZX_CPU_PERF_SCALE, ncpu + 1, perf, &n),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_system_get_performance_info(cpu, 9, ncpu, perf, &n), ZX_ERR_INVALID_ARGS);
  zx_cpu_performance_info_t set = {.logical_cpu_number = 0, .performance_scale = {0, 1u << 31}};
  CHECK_EQ(zx_system_set_performance_info(cpu, ZX_CPU_PERF_SCALE, &set, 1), ZX_OK);
  CHECK_EQ(zx_system_get_performance_info(cpu, ZX_CPU_PERF_SCALE, ncpu, perf, &n), ZX_OK);
  CHECK_EQ(perf[0].performance_scale.fractional_part, 1u << 31);
  CHECK_EQ(zx_system_get_performance_info(cpu, ZX_CPU_DEFAULT_PERF_SCALE, ncpu, perf, &n), ZX_OK);
  CHECK_EQ(perf[0].performance_scale.integral_part, 1);
  set.performance_scale.fractional_part = 0;
  CHECK_EQ(zx_system_set_performance_info(cpu, ZX_CPU_PERF_SCALE, &set, 1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_system_set_performance_info(cpu, ZX_CPU_PERF_SCALE, &set, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_system_set_performance_info(cpu, 2, &set, 1), ZX_ERR_INVALID_ARGS);

  /* The debuglog resource is checked by kind and base. */
  zx_handle_t log;
  CHECK_EQ(zx_debuglog_create(dlog, ZX_LOG_FLAG_READABLE, &log), ZX_OK);
  CHECK_EQ(zx_handle_close(log), ZX_OK);
  CHECK_EQ(zx_debuglog_create(cpu, ZX_LOG_FLAG_READABLE, &log), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_debuglog_create(irq1, 0, &log), ZX_ERR_WRONG_TYPE);

  /* vmo_replace_as_executable's vmex: the VMEX system resource or the root. */
  zx_handle_t vmex = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1);
  zx_handle_t vmo, vx;
  CHECK_EQ(zx_vmo_create(4096, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(vmo, vmex, &vx), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(vx, dlog, &vmo), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create(4096, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(vmo, irq1, &vx), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmo_create(4096, 0, &vmo), ZX_OK); /* replace consumed the last one */

  /* Profiles: the profile resource, then the profile's own rules. */
  zx_handle_t prof_r = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_PROFILE_BASE, 1);
  zx_profile_info_t pi;
  memset(&pi, 0, sizeof(pi));
  zx_handle_t prof;
  CHECK_EQ(zx_profile_create(prof_r, 1, &pi, &prof), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &prof), ZX_ERR_INVALID_ARGS);
  pi.flags = ZX_PROFILE_INFO_FLAG_PRIORITY | ZX_PROFILE_INFO_FLAG_DEADLINE;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &prof), ZX_ERR_INVALID_ARGS);
  pi.flags = ZX_PROFILE_INFO_FLAG_PRIORITY;
  pi.priority = 32;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &prof), ZX_ERR_INVALID_ARGS);
  pi.flags = ZX_PROFILE_INFO_FLAG_DEADLINE;
  pi.deadline_params.capacity = 2000, pi.deadline_params.relative_deadline = 1000;
  pi.deadline_params.period = 3000;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &prof), ZX_ERR_INVALID_ARGS);
  pi.deadline_params.capacity = 500;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &prof), ZX_OK);
  CHECK_EQ(zx_object_set_profile(zx_thread_self(), prof, 0), ZX_OK);
  CHECK_EQ(zx_object_set_profile(vmo, prof, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_object_set_profile(zx_thread_self(), vmo, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  CHECK_EQ(zx_handle_duplicate(prof, ZX_RIGHT_TRANSFER, &weak), ZX_OK);
  CHECK_EQ(zx_object_set_profile(zx_thread_self(), weak, 0), ZX_ERR_ACCESS_DENIED);
  /* What maps onto Linux is applied to the thread: a lower priority is a higher nice value
   * (open to anyone), a CPU mask the affinity. */
  zx_handle_t low, pin;
  memset(&pi, 0, sizeof(pi));
  pi.flags = ZX_PROFILE_INFO_FLAG_PRIORITY;
  pi.priority = ZX_PRIORITY_LOWEST;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &low), ZX_OK);
  CHECK_EQ(zx_object_set_profile(zx_thread_self(), low, 0), ZX_OK);
  errno = 0;
  CHECK_EQ(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)), 19);
  cpu_set_t cpus;
  CHECK_EQ(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
  int first = 0;
  while (first < 63 && !CPU_ISSET(first, &cpus)) first++; /* a CPU this thread may use */
  memset(&pi, 0, sizeof(pi));
  pi.flags = ZX_PROFILE_INFO_FLAG_CPU_MASK;
  pi.cpu_affinity_mask.mask[0] = 1ull << first;
  CHECK_EQ(zx_profile_create(prof_r, 0, &pi, &pin), ZX_OK);
  CHECK_EQ(zx_object_set_profile(zx_thread_self(), pin, 0), ZX_OK);
  CHECK_EQ(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
  CHECK_EQ(CPU_COUNT(&cpus), 1);
  CHECK(CPU_ISSET(first, &cpus));
  CHECK_EQ(zx_profile_create(irq1, 0, &pi, &prof), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_profile_create(cpu, 0, &pi, &prof), ZX_ERR_OUT_OF_RANGE);

  /* Hardware: the checks pass, and then zum's machine answers. */
  zx_handle_t out, out2;
  CHECK_EQ(zx_interrupt_create(irq1, 1, 0, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_create(irq1, 2, 0, &out), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_interrupt_create(cpu, 1, 0, &out), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_ioports_request(io_ss, 0x104, 4), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_ioports_request(io_ss, 0x104, 5), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_ioports_request(irq1, 0x104, 1), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_ioports_release(io, 0x60, 1), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_create_physical(root, 0xfee00000, 4096, &out), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_create_physical(io, 0xfee00000, 4096, &out), ZX_ERR_WRONG_TYPE);
  zx_smc_parameters_t sp;
  zx_smc_result_t sr;
  memset(&sp, 0, sizeof(sp));
  CHECK_EQ(zx_smc_call(root, NULL, &sr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_smc_call(root, &sp, &sr), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_smc_call(irq1, &sp, &sr), ZX_ERR_WRONG_TYPE);
  zx_handle_t hyp = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);
  CHECK_EQ(zx_guest_create(hyp, 0, &out, &out2), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_guest_create(cpu, 0, &out, &out2), ZX_ERR_OUT_OF_RANGE);
  zx_handle_t iommu = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_IOMMU_BASE, 1);
  char desc[8] = {0};
  CHECK_EQ(zx_iommu_create(iommu, 0, desc, 1, &out), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_iommu_create(iommu, 0, desc, 4097, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_msi_allocate(root, 1, &out), ZX_ERR_NOT_SUPPORTED);
  uint32_t a, b, c, d;
  CHECK_EQ(zx_framebuffer_get_info(root, &a, &b, &c, &d), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_framebuffer_get_info(sys, &a, &b, &c, &d), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_framebuffer_set_range(root, vmo, 4096, 1, 1, 1, 1), ZX_OK);
  zx_handle_t power = child(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_POWER_BASE, 1);
  CHECK_EQ(zx_system_powerctl(power, ZX_SYSTEM_POWERCTL_ENABLE_ALL_CPUS, NULL), ZX_OK);
  CHECK_EQ(zx_system_powerctl(power, 99, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_system_powerctl(power, ZX_SYSTEM_POWERCTL_ACPI_TRANSITION_S_STATE, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_system_powerctl(cpu, ZX_SYSTEM_POWERCTL_ENABLE_ALL_CPUS, NULL), ZX_ERR_OUT_OF_RANGE);
  debugging_calls(root);
}

int main(void) {
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  privileged_calls(ZX_HANDLE_INVALID, ZX_ERR_BAD_HANDLE);
  privileged_calls(ev, ZX_ERR_WRONG_TYPE);
  absent_objects(ev);
  debugging_calls(ZX_HANDLE_INVALID);
  /* Calls with no resource. */
  CHECK_EQ(zx_thread_legacy_yield(1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_thread_legacy_yield(0), ZX_OK);
  static char page[4096] __attribute__((aligned(4096)));
  CHECK_EQ(zx_cache_flush(page, sizeof(page), ZX_CACHE_FLUSH_INVALIDATE), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_cache_flush(page, sizeof(page), 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_cache_flush(page, sizeof(page), ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE),
           ZX_OK);
  CHECK_EQ(zx_cache_flush(page, sizeof(page), ZX_CACHE_FLUSH_INSN), ZX_OK);
  /* The system events need the root job, which nothing here holds: a job that is not the root
   * job is ACCESS_DENIED, after the type and the out-of-memory event's MANAGE_PROCESS. */
  zx_handle_t e;
  CHECK_EQ(zx_system_get_event(ev, ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL, &e), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_system_get_event(zx_job_default(), ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL, &e),
           ZX_ERR_ACCESS_DENIED);
  zx_handle_t weak_job;
  CHECK_EQ(zx_handle_duplicate(zx_job_default(), ZX_RIGHT_INSPECT, &weak_job), ZX_OK);
  CHECK_EQ(zx_system_get_event(weak_job, ZX_SYSTEM_EVENT_OUT_OF_MEMORY, &e), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(weak_job), ZX_OK);

  zx_handle_t root = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  if (root != ZX_HANDLE_INVALID && getenv("ZUM_TEST_SHUTDOWN")) {
    /* The system halts: the call does not return (tests/privileged.sh checks how zum ends). */
    zx_system_powerctl(root, ZX_SYSTEM_POWERCTL_SHUTDOWN, NULL);
    fprintf(stderr, "zx_system_powerctl(SHUTDOWN) returned\n");
    return 3;
  }
  if (root != ZX_HANDLE_INVALID) {
    with_root(root);
    privileged_calls(ev, ZX_ERR_WRONG_TYPE);
  } else if (getenv("ZUM_EXPECT_ROOT_RESOURCE")) {
    fprintf(stderr, "no root resource among the startup handles\n");
    return 1;
  }
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  return GUEST_RESULT();
}
