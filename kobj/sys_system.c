/* System-wide calls (lib/syscalls/system.cc): the memory pressure events, CPU performance
 * scales, power control and mexec. */
#include <string.h>
#include <zircon/syscalls/system.h>
#include <zircon/syscalls/types.h>

#include "kobj/event.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* The kernel's memory events, one per kind (ZX_SYSTEM_EVENT_*). zum never watches memory: the
 * level stays where Zircon's starts, NORMAL, so that event is signaled and the others (out of
 * memory, imminent out of memory, critical, warning) never are. */
static struct kobj* mem_events[ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY + 1];

static struct kobj* mem_event(uint32_t kind) {
  if (!mem_events[kind]) {
    mem_events[kind] = kevent_create();
    if (mem_events[kind] && kind == ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL)
      kobj_signal(mem_events[kind], 0, ZX_EVENT_SIGNALED);
  }
  return mem_events[kind];
}

int64_t sys_system_get_event(struct kcall* c, zx_handle_t root_job, uint32_t kind,
                             zum_uaddr_t event) {
  /* Only the out-of-memory event asks for a right; all ask for the root job itself. */
  zx_rights_t need = kind == ZX_SYSTEM_EVENT_OUT_OF_MEMORY ? ZX_RIGHT_MANAGE_PROCESS : ZX_RIGHT_NONE;
  struct kobj* j;
  zx_status_t s = kcall_object(c, root_job, ZX_OBJ_TYPE_JOB, need, &j);
  if (s != ZX_OK) return s;
  if (j != &kroot_job->base) return ZX_ERR_ACCESS_DENIED;
  if (kind < ZX_SYSTEM_EVENT_OUT_OF_MEMORY || kind > ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY)
    return ZX_ERR_INVALID_ARGS;
  struct kobj* e = mem_event(kind);
  if (!e) return ZX_ERR_NO_MEMORY;
  /* Not the event defaults: holders may wait, not signal. */
  return kcall_out_handle(c, e, ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS, event);
}

/* The scheduler's performance scales, one per CPU: 1.0 until set. */
#define MAX_CPUS 512
static zx_cpu_performance_scale_t scales[MAX_CPUS];
static bool scales_set[MAX_CPUS];

static size_t num_cpus(void) {
  uint32_t n = platform->num_cpus ? platform->num_cpus() : 1;
  return n > MAX_CPUS ? MAX_CPUS : n;
}

int64_t sys_system_get_performance_info(struct kcall* c, zx_handle_t resource, uint32_t topic,
                                        size_t count, zum_uaddr_t info, zum_uaddr_t output_count) {
  zx_status_t s = kcall_resource_system(c, resource, ZX_RSRC_SYSTEM_CPU_BASE);
  if (s != ZX_OK) return s;
  size_t n = num_cpus();
  if (count != n) return ZX_ERR_OUT_OF_RANGE;
  if (topic != ZX_CPU_PERF_SCALE && topic != ZX_CPU_DEFAULT_PERF_SCALE) return ZX_ERR_INVALID_ARGS;
  for (size_t i = 0; i < n; i++) {
    zx_cpu_performance_info_t r;
    memset(&r, 0, sizeof(r));
    r.logical_cpu_number = (uint32_t)i;
    bool own = topic == ZX_CPU_PERF_SCALE && scales_set[i];
    r.performance_scale = own ? scales[i] : (zx_cpu_performance_scale_t){1, 0};
    if (kcall_copy_out(c, info + i * sizeof(r), &r, sizeof(r)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  }
  return kcall_copy_out(c, output_count, &n, sizeof(n)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

int64_t sys_system_set_performance_info(struct kcall* c, zx_handle_t resource, uint32_t topic,
                                        zum_uaddr_t info, size_t count) {
  zx_status_t s = kcall_resource_system(c, resource, ZX_RSRC_SYSTEM_CPU_BASE);
  if (s != ZX_OK) return s;
  if (topic != ZX_CPU_PERF_SCALE) return ZX_ERR_INVALID_ARGS;
  size_t n = num_cpus();
  if (count == 0 || count > n) return ZX_ERR_OUT_OF_RANGE;
  /* All checked before any is kept (count is at most the CPUs). Linux's scheduler is not told:
   * the scales are kept for get_performance_info, which is all a guest can observe. */
  zx_cpu_performance_info_t in[MAX_CPUS];
  if (kcall_copy_in(c, in, info, count * sizeof(in[0])) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  for (size_t i = 0; i < count; i++) {
    if (i > 0 && in[i].logical_cpu_number <= in[i - 1].logical_cpu_number)
      return ZX_ERR_INVALID_ARGS;
    if (in[i].logical_cpu_number >= n ||
        (in[i].performance_scale.integral_part == 0 && in[i].performance_scale.fractional_part == 0))
      return ZX_ERR_OUT_OF_RANGE;
  }
  for (size_t i = 0; i < count; i++) {
    scales[in[i].logical_cpu_number] = in[i].performance_scale;
    scales_set[in[i].logical_cpu_number] = true;
  }
  return ZX_OK;
}

int64_t sys_system_powerctl(struct kcall* c, zx_handle_t resource, uint32_t cmd, zum_uaddr_t arg) {
  zx_status_t s = kcall_resource_system(c, resource, ZX_RSRC_SYSTEM_POWER_BASE);
  if (s != ZX_OK) return s;
  switch (cmd) {
    case ZX_SYSTEM_POWERCTL_ENABLE_ALL_CPUS:
      /* Every CPU the guests see is online already: hot-plugging none succeeds. */
      return ZX_OK;
    case ZX_SYSTEM_POWERCTL_ACPI_TRANSITION_S_STATE:
    case ZX_SYSTEM_POWERCTL_X86_SET_PKG_PL1: {
      zx_system_powerctl_arg_t a;
      if (kcall_copy_in(c, &a, arg, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      /* x86's arch_system_powerctl: an S-state transition is NOT_SUPPORTED unless the kernel
       * was booted with kernel.x86.enable-suspend (off by default, and off here); the package
       * power limit is written to an MSR on x86 and NOT_SUPPORTED on every other architecture,
       * and zum, which reaches no MSR, answers that. */
      return ZX_ERR_NOT_SUPPORTED;
    }
    case ZX_SYSTEM_POWERCTL_DISABLE_ALL_CPUS_BUT_PRIMARY:
      /* Zircon's mp_unplug_cpu_mask answers NOT_SUPPORTED where CPUs cannot be taken offline,
       * as zum cannot take the host's. */
      return ZX_ERR_NOT_SUPPORTED;
    case ZX_SYSTEM_POWERCTL_ACK_KERNEL_INITIATED_REBOOT:
      /* The kernel never starts a halt here, so there is none to acknowledge. */
      return ZX_ERR_BAD_STATE;
    case ZX_SYSTEM_POWERCTL_REBOOT:
    case ZX_SYSTEM_POWERCTL_REBOOT_BOOTLOADER:
    case ZX_SYSTEM_POWERCTL_REBOOT_RECOVERY:
    case ZX_SYSTEM_POWERCTL_SHUTDOWN:
      /* The system halts: every job is killed, the caller with them, and as on Zircon the call
       * does not return. zum cannot come back up, so every reboot is a shutdown. */
      kjob_kill(kroot_job, ZX_TASK_RETCODE_SYSCALL_KILL);
      return KCALL_NOREPLY;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
}

/* The debugging calls below are gated in Zircon by kernel.enable-debugging-syscalls, false
 * unless a developer boots with it; zum is such a kernel without it, so they answer as Zircon
 * then does, before looking at any argument. */
int64_t sys_system_mexec(struct kcall* c, zx_handle_t resource, zx_handle_t kernel_vmo,
                         zx_handle_t bootimage_vmo) {
  (void)c, (void)resource, (void)kernel_vmo, (void)bootimage_vmo;
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_system_mexec_payload_get(struct kcall* c, zx_handle_t resource, zum_uaddr_t buffer,
                                     size_t buffer_size) {
  (void)c, (void)resource, (void)buffer, (void)buffer_size;
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_ktrace_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t data, uint32_t offset,
                        size_t data_size, zum_uaddr_t actual) {
  (void)c, (void)handle, (void)data, (void)offset, (void)data_size, (void)actual;
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_ktrace_control(struct kcall* c, zx_handle_t handle, uint32_t action, uint32_t options,
                           zum_uaddr_t ptr) {
  (void)c, (void)handle, (void)action, (void)options, (void)ptr;
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_mtrace_control(struct kcall* c, zx_handle_t handle, uint32_t kind, uint32_t action,
                           uint32_t options, zum_uaddr_t ptr, size_t ptr_size) {
  (void)c, (void)handle, (void)kind, (void)action, (void)options, (void)ptr, (void)ptr_size;
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_debug_send_command(struct kcall* c, zx_handle_t resource, zum_uaddr_t buffer,
                               size_t buffer_size) {
  (void)c, (void)resource, (void)buffer, (void)buffer_size;
  return ZX_ERR_NOT_SUPPORTED;
}

/* Gated by kernel.enable-serial-syscalls: zum's zx_debug_write works, which is Zircon's
 * "output-only" setting, under which debug_read is NOT_SUPPORTED. */
int64_t sys_debug_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer,
                       size_t buffer_size, zum_uaddr_t actual) {
  (void)c, (void)handle, (void)buffer, (void)buffer_size, (void)actual;
  return ZX_ERR_NOT_SUPPORTED;
}
