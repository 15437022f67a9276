/* ABI layout checks: sizes and offsets of the public structures and key constant values, as
 * Zircon's headers define them for x86-64. A layout change here breaks real binaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zircon/syscalls/port.h>

#define LAYOUT(type, size) assert_int_equal(sizeof(type), size)
#define AT(type, field, off) assert_int_equal(offsetof(type, field), off)

static void test_handle_structs(void** state) {
  LAYOUT(zx_handle_info_t, 16);
  AT(zx_handle_info_t, type, 4);
  AT(zx_handle_info_t, rights, 8);
  LAYOUT(zx_handle_disposition_t, 20);
  AT(zx_handle_disposition_t, handle, 4);
  AT(zx_handle_disposition_t, type, 8);
  AT(zx_handle_disposition_t, rights, 12);
  AT(zx_handle_disposition_t, result, 16);
  LAYOUT(zx_wait_item_t, 12);
  AT(zx_wait_item_t, pending, 8);
  LAYOUT(zx_channel_call_args_t, 48);
  AT(zx_channel_call_args_t, wr_num_bytes, 32);
  AT(zx_channel_call_args_t, rd_num_handles, 44);
  LAYOUT(zx_channel_call_etc_args_t, 48);
  LAYOUT(zx_channel_iovec_t, 16);
  LAYOUT(zx_iovec_t, 16);
}

static void test_packets(void** state) {
  LAYOUT(zx_port_packet_t, 48);
  AT(zx_port_packet_t, type, 8);
  AT(zx_port_packet_t, status, 12);
  AT(zx_port_packet_t, signal.trigger, 16);
  AT(zx_port_packet_t, signal.observed, 20);
  AT(zx_port_packet_t, signal.count, 24);
  AT(zx_port_packet_t, signal.timestamp, 32);
}

static void test_info_structs(void** state) {
  LAYOUT(zx_info_handle_basic_t, 32);
  AT(zx_info_handle_basic_t, rights, 8);
  AT(zx_info_handle_basic_t, type, 12);
  AT(zx_info_handle_basic_t, related_koid, 16);
  AT(zx_info_handle_basic_t, reserved, 24);
  LAYOUT(zx_info_handle_extended_t, 40);
  LAYOUT(zx_info_process_t, 24);
  AT(zx_info_process_t, start_time, 8);
  AT(zx_info_process_t, flags, 16);
  LAYOUT(zx_info_job_t, 16);
  LAYOUT(zx_info_thread_t, 72);
  AT(zx_info_thread_t, cpu_affinity_mask, 8);
  LAYOUT(zx_info_task_stats_t, 40);
  LAYOUT(zx_info_timer_t, 24);
  LAYOUT(zx_info_vmar_t, 16);
  LAYOUT(zx_info_socket_t, 48);
  LAYOUT(zx_info_process_handle_stats_t, 256);
  LAYOUT(zx_info_thread_stats_t, 16);
  LAYOUT(zx_proc_args_t, 36);
  AT(zx_proc_args_t, handle_info_off, 8);
  AT(zx_proc_args_t, args_off, 12);
  AT(zx_proc_args_t, args_num, 16);
  AT(zx_proc_args_t, environ_off, 20);
  AT(zx_proc_args_t, environ_num, 24);
  AT(zx_proc_args_t, names_off, 28);
  AT(zx_proc_args_t, names_num, 32);
  LAYOUT(zx_exception_report_t, 40);
  LAYOUT(zx_exception_info_t, 24);
  LAYOUT(zx_exception_context_t, 32);
  LAYOUT(zx_thread_state_general_regs_t, 160);
  AT(zx_thread_state_general_regs_t, rip, 128);
  AT(zx_thread_state_general_regs_t, gs_base, 152);
  LAYOUT(zx_policy_basic_v2_t, 12);
  LAYOUT(zx_policy_timer_slack_t, 16);
}

static void test_values(void** state) {
  assert_int_equal(ZX_DEFAULT_CHANNEL_RIGHTS, 0xf00e);
  assert_int_equal(ZX_DEFAULT_EVENT_RIGHTS, 0xd003);
  assert_int_equal(ZX_DEFAULT_EVENTPAIR_RIGHTS, 0xf003);
  assert_int_equal(ZX_DEFAULT_PORT_RIGHTS, 0x800f);
  assert_int_equal(ZX_DEFAULT_TIMER_RIGHTS, 0xd00b);
  assert_int_equal(ZX_DEFAULT_PROCESS_RIGHTS, 0x6d3cf);
  assert_int_equal(ZX_DEFAULT_THREAD_RIGHTS, 0x4d2cf);
  assert_int_equal(ZX_DEFAULT_JOB_RIGHTS, 0x7dfcf);
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS, 0xd0ef);
  assert_int_equal(ZX_DEFAULT_VMAR_RIGHTS, 0x208003);
  assert_int_equal(ZX_DEFAULT_SOCKET_RIGHTS, 0x10f0cf);
  assert_int_equal(ZX_DEFAULT_FIFO_RIGHTS, 0xf00f);
  assert_int_equal(ZX_DEFAULT_EXCEPTION_RIGHTS, 0x80c2);
  assert_int_equal(ZX_DEFAULT_PAGER_RIGHTS, 0x1808002);
  assert_int_equal(ZX_DEFAULT_IOB_RIGHTS, 0xf0ef);
  assert_int_equal(ZX_INFO_PROCESS, 0x10000003);
  assert_int_equal(ZX_INFO_VMO, 0x30000017);
  assert_int_equal(ZX_INFO_PROCESS_MAPS, 0x2000000d);
  assert_int_equal(ZX_INFO_PROCESS_VMOS, 0x3000000e);
  assert_int_equal(ZX_INFO_TASK_STATS, 0x1000000c);
  assert_int_equal(ZX_VM_ALIGN_4KB, 0x0c000000);
  assert_int_equal(ZX_VM_ALIGN_2MB, 0x15000000);
  assert_int_equal(ZX_VMO_CHILD_COPY_ON_WRITE, 1u << 4);
  assert_int_equal(PA_HND(PA_VMO_VDSO, 0), 0x11);
  assert_int_equal(PA_HND(PA_FD, 0x8001), 0x80010030);
  assert_int_equal(ZX_PROCARGS_PROTOCOL, 0x4150585d);
  assert_int_equal(ZX_SIGNAL_HANDLE_CLOSED, 0x00800000);
  assert_int_equal(ZX_EXCP_POLICY_ERROR, 0x8208);
  assert_int_equal(ZX_TASK_RETCODE_EXCEPTION_KILL, -1028);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_handle_structs),
      cmocka_unit_test(test_packets),
      cmocka_unit_test(test_info_structs),
      cmocka_unit_test(test_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
