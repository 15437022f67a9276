/* Starting code in a child process the mini-process way, from a hosted program: create an empty
 * process, copy a small position-independent function into a VMO, make it executable, map it
 * and the vDSO (from the PA_VMO_VDSO startup handle) into the child, look up the vDSO entry
 * points the code calls in its dynamic symbol table (DT_GNU_HASH), give it a stack and start it
 * with zx_process_start. Then zx_process_start's error paths. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "guest_test.h"
#include "host/guest/launch/elf_image.h"

/* The child's code. Entry: rdi = a handle (arg1), rsp % 16 == 8. It calls
 * zx_object_signal(rdi, 0, ZX_USER_SIGNAL_0) and exits with 77 + that call's status, through
 * vDSO addresses the parent writes into the two slots after the code. */
__asm__(".pushsection .rodata.mini_code, \"a\"\n"
        ".balign 16\n"
        ".globl mini_code, mini_signal_slot, mini_exit_slot, mini_code_end\n"
        ".hidden mini_code, mini_signal_slot, mini_exit_slot, mini_code_end\n"
        "mini_code:\n"
        "  sub $8, %rsp\n"
        "  xor %esi, %esi\n"
        "  mov $0x01000000, %edx\n"
        "  call *mini_signal_slot(%rip)\n"
        "  movslq %eax, %rdi\n"
        "  add $77, %rdi\n"
        "  call *mini_exit_slot(%rip)\n"
        "  ud2\n"
        ".balign 8\n"
        "mini_signal_slot: .quad 0\n"
        "mini_exit_slot: .quad 0\n"
        "mini_code_end:\n"
        /* A second child that faults at once. */
        ".globl mini_crash, mini_crash_end\n"
        ".hidden mini_crash, mini_crash_end\n"
        "mini_crash:\n"
        "  ud2\n"
        "mini_crash_end:\n"
        ".popsection\n");
extern const char mini_code[], mini_signal_slot[], mini_exit_slot[], mini_code_end[];
extern const char mini_crash[], mini_crash_end[];

#define STACK_SIZE (16u << 10)
#define VDSO_RIGHTS 0xd0f7u

/* The vDSO as read from its VMO. */
static struct {
  zx_handle_t vmo;
  uint8_t* img;
  struct elf_buf mem;
  struct elf_dyn dyn;
  uint64_t ro_len, code_off, code_len;
  uint64_t signal_off, exit_off;
} vdso;

static int read_vdso(void) {
  vdso.vmo = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  CHECK(vdso.vmo != ZX_HANDLE_INVALID);
  if (vdso.vmo == ZX_HANDLE_INVALID) return -1;
  zx_info_handle_basic_t bi;
  CHECK_EQ(zx_object_get_info(vdso.vmo, ZX_INFO_HANDLE_BASIC, &bi, sizeof(bi), NULL, NULL), ZX_OK);
  CHECK_EQ(bi.type, ZX_OBJ_TYPE_VMO);
  CHECK_EQ(bi.rights, VDSO_RIGHTS);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(vdso.vmo, &size), ZX_OK);
  CHECK(size > 0 && size < (16u << 20));
  if (size == 0 || size >= (16u << 20)) return -1;
  vdso.img = malloc(size);
  CHECK_EQ(zx_vmo_read(vdso.vmo, vdso.img, 0, size), ZX_OK);
  vdso.mem = (struct elf_buf){.data = vdso.img, .size = size, .base = 0};
  const Elf64_Ehdr* eh;
  const char* why = elf_check_header(vdso.mem, &eh);
  CHECK(why == NULL);
  if (why) return -1;
  const Elf64_Phdr* ph = elf_phdrs(vdso.mem, eh);
  int loads = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_DYNAMIC)
      CHECK(elf_read_dynamic(vdso.mem, ph[i].p_vaddr, ph[i].p_filesz, &vdso.dyn) == NULL);
    if (ph[i].p_type != PT_LOAD) continue;
    loads++;
    if (ph[i].p_flags & PF_X) {
      vdso.code_off = ph[i].p_vaddr;
      elf_page_ceil(ph[i].p_memsz, &vdso.code_len);
    } else {
      elf_page_ceil(ph[i].p_memsz, &vdso.ro_len);
    }
  }
  CHECK_EQ(loads, 2);
  CHECK(vdso.code_off >= vdso.ro_len && vdso.code_len > 0);
  /* The entry points, by name through DT_GNU_HASH; zx_ names are weak aliases of _zx_ ones. */
  const Elf64_Sym* sig = elf_lookup(vdso.mem, &vdso.dyn, "_zx_object_signal");
  const Elf64_Sym* ex = elf_lookup(vdso.mem, &vdso.dyn, "_zx_process_exit");
  const Elf64_Sym* ex_weak = elf_lookup(vdso.mem, &vdso.dyn, "zx_process_exit");
  CHECK(sig && ex && ex_weak);
  CHECK(elf_lookup(vdso.mem, &vdso.dyn, "zx_no_such_call") == NULL);
  if (!sig || !ex || !ex_weak) return -1;
  CHECK_EQ(ELF64_ST_BIND(ex->st_info), STB_GLOBAL);
  CHECK_EQ(ELF64_ST_BIND(ex_weak->st_info), STB_WEAK);
  CHECK_EQ(ex_weak->st_value, ex->st_value);
  CHECK(sig->st_value >= vdso.code_off && sig->st_value < vdso.code_off + vdso.code_len);
  vdso.signal_off = sig->st_value;
  vdso.exit_off = ex->st_value;
  return 0;
}

struct mini {
  zx_handle_t proc, vmar, thread;
  zx_vaddr_t vdso_base, entry, sp;
};

/* An unstarted child with the vDSO, `code` (executable) and a stack mapped, and a thread. */
static int mini_setup(struct mini* m, const char* name, const char* code, size_t len,
                      bool patch_slots) {
  memset(m, 0, sizeof(*m));
  zx_status_t s = zx_process_create(zx_job_default(), name, strlen(name), 0, &m->proc, &m->vmar);
  CHECK_EQ(s, ZX_OK);
  if (s != ZX_OK) return -1;
  /* The vDSO: a VMAR over its span, read-only segment then the code segment, exactly. */
  zx_handle_t vv;
  CHECK_EQ(zx_vmar_allocate(m->vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC,
                            0, vdso.code_off + vdso.code_len, &vv, &m->vdso_base),
           ZX_OK);
  zx_vaddr_t a;
  CHECK_EQ(zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vdso.vmo, 0, vdso.ro_len, &a), ZX_OK);
  CHECK_EQ(a, m->vdso_base);
  CHECK_EQ(zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, vdso.code_off,
                       vdso.vmo, vdso.code_off, vdso.code_len, &a),
           ZX_OK);
  CHECK_EQ(a, m->vdso_base + vdso.code_off);
  CHECK_EQ(zx_handle_close(vv), ZX_OK);
  uintptr_t prop = 0;
  CHECK_EQ(zx_object_get_property(m->proc, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &prop, sizeof(prop)),
           ZX_OK);
  CHECK_EQ(prop, m->vdso_base);

  /* The code: copied into a VMO, its slots patched with the child's vDSO addresses. */
  uint8_t page[4096] = {0};
  CHECK(len <= sizeof(page));
  memcpy(page, code, len);
  if (patch_slots) {
    uint64_t sig = m->vdso_base + vdso.signal_off, ex = m->vdso_base + vdso.exit_off;
    memcpy(page + (mini_signal_slot - mini_code), &sig, 8);
    memcpy(page + (mini_exit_slot - mini_code), &ex, 8);
  }
  zx_handle_t vmo, xvmo;
  CHECK_EQ(zx_vmo_create(sizeof(page), 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_write(vmo, page, 0, sizeof(page)), ZX_OK);
  /* Not executable yet: an executable mapping is refused. */
  CHECK_EQ(zx_vmar_map(m->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo, 0, sizeof(page), &a),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &xvmo), ZX_OK);
  CHECK_EQ(zx_vmar_map(m->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, xvmo, 0, sizeof(page),
                       &m->entry),
           ZX_OK);
  CHECK_EQ(zx_handle_close(xvmo), ZX_OK);

  zx_handle_t stack;
  zx_vaddr_t stack_base = 0;
  CHECK_EQ(zx_vmo_create(STACK_SIZE, 0, &stack), ZX_OK);
  CHECK_EQ(zx_vmar_map(m->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack, 0, STACK_SIZE,
                       &stack_base),
           ZX_OK);
  CHECK_EQ(zx_handle_close(stack), ZX_OK);
  m->sp = ((stack_base + STACK_SIZE) & ~(zx_vaddr_t)15) - 8;

  s = zx_thread_create(m->proc, "mini-thread", 11, 0, &m->thread);
  CHECK_EQ(s, ZX_OK);
  return s == ZX_OK && m->entry ? 0 : -1;
}

static void mini_close(struct mini* m) {
  if (m->thread) CHECK_EQ(zx_handle_close(m->thread), ZX_OK);
  if (m->vmar) CHECK_EQ(zx_handle_close(m->vmar), ZX_OK);
  if (m->proc) CHECK_EQ(zx_handle_close(m->proc), ZX_OK);
  memset(m, 0, sizeof(*m));
}

static int64_t wait_return_code(zx_handle_t proc) {
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(30)), &obs),
           ZX_OK);
  zx_info_process_t pi;
  memset(&pi, 0, sizeof(pi));
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL), ZX_OK);
  CHECK(pi.flags & ZX_INFO_PROCESS_FLAG_STARTED);
  CHECK(pi.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  return pi.return_code;
}

/* A fresh event handle to pass as arg1, and whether it is gone from this process afterwards. */
static zx_handle_t new_arg(zx_rights_t rights) {
  zx_handle_t ev, out;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_handle_replace(ev, rights, &out), ZX_OK);
  return out;
}
#define CHECK_CLOSED(h) CHECK_EQ(zx_handle_close(h), ZX_ERR_BAD_HANDLE)

/* The Linux pid of the process whose comm is `name`, or 0. */
static pid_t find_comm(const char* name) {
  DIR* d = opendir("/proc");
  if (!d) return 0;
  pid_t found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d))) {
    char path[300], comm[64] = {0};
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
    FILE* f = fopen(path, "re");
    if (!f) continue;
    if (fgets(comm, sizeof(comm), f)) {
      comm[strcspn(comm, "\n")] = 0;
      if (strcmp(comm, name) == 0) found = (pid_t)atoi(e->d_name);
    }
    fclose(f);
  }
  closedir(d);
  return found;
}

int main(void) {
  if (read_vdso() != 0) return GUEST_RESULT();
  struct mini m, other;

  /* ---- start errors first, on a child that is then started for real */
  if (mini_setup(&m, "mini-process", mini_code, (size_t)(mini_code_end - mini_code), true) != 0)
    return GUEST_RESULT();
  /* Bad handles: the error, and arg1 is closed all the same. */
  zx_handle_t arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(ZX_HANDLE_INVALID, m.thread, m.entry, m.sp, arg, 0), ZX_ERR_BAD_HANDLE);
  CHECK_CLOSED(arg);
  arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(m.proc, ZX_HANDLE_INVALID, m.entry, m.sp, arg, 0), ZX_ERR_BAD_HANDLE);
  CHECK_CLOSED(arg);
  arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(m.thread, m.thread, m.entry, m.sp, arg, 0), ZX_ERR_WRONG_TYPE);
  CHECK_CLOSED(arg);
  arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(m.proc, m.proc, m.entry, m.sp, arg, 0), ZX_ERR_WRONG_TYPE);
  CHECK_CLOSED(arg);
  /* Process and thread handles need WRITE. */
  zx_handle_t ro_proc;
  CHECK_EQ(zx_handle_duplicate(m.proc, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &ro_proc), ZX_OK);
  arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(ro_proc, m.thread, m.entry, m.sp, arg, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_CLOSED(arg);
  CHECK_EQ(zx_handle_close(ro_proc), ZX_OK);
  /* A thread of another process. */
  if (mini_setup(&other, "mini-other", mini_crash, (size_t)(mini_crash_end - mini_crash), false) == 0) {
    arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
    CHECK_EQ(zx_process_start(m.proc, other.thread, m.entry, m.sp, arg, 0), ZX_ERR_ACCESS_DENIED);
    CHECK_CLOSED(arg);
    mini_close(&other);
  }
  /* arg1 without TRANSFER. */
  arg = new_arg(ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL);
  CHECK_EQ(zx_process_start(m.proc, m.thread, m.entry, m.sp, arg, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_CLOSED(arg);
  /* Entries outside user space: NULL, below the user base, non-canonical, kernel. */
  const zx_vaddr_t bad_entries[] = {0, 0x1000, 0x1ff000, 0x7ffffffff000, 0x800000000000,
                                    0xffffff8000001000};
  for (size_t i = 0; i < sizeof(bad_entries) / sizeof(bad_entries[0]); i++) {
    arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
    CHECK_EQ(zx_process_start(m.proc, m.thread, bad_entries[i], m.sp, arg, 0), ZX_ERR_INVALID_ARGS);
    CHECK_CLOSED(arg);
  }
  /* zx_thread_start before the process started. */
  CHECK_EQ(zx_thread_start(m.thread, m.entry, m.sp, 0, 0), ZX_ERR_BAD_STATE);
  zx_info_process_t pi;
  CHECK_EQ(zx_object_get_info(m.proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL), ZX_OK);
  CHECK_EQ(pi.flags, 0);

  /* ---- the real start: the child signals the event it got as arg1, then exits 77 + status */
  zx_handle_t ev, ev_child;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &ev_child), ZX_OK);
  CHECK_EQ(zx_process_start(m.proc, m.thread, m.entry, m.sp, ev_child, m.vdso_base), ZX_OK);
  CHECK_CLOSED(ev_child); /* it moved into the child */
  CHECK_EQ(wait_return_code(m.proc), 77);
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, &obs), ZX_OK);
  CHECK(obs & ZX_USER_SIGNAL_0);
  CHECK_EQ(zx_object_wait_one(m.thread, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(30)), &obs),
           ZX_OK);
  /* The child's handle to the event died with it: only ours is left. */
  zx_info_handle_count_t hc;
  CHECK_EQ(zx_object_get_info(ev, ZX_INFO_HANDLE_COUNT, &hc, sizeof(hc), NULL, NULL), ZX_OK);
  CHECK_EQ(hc.handle_count, 1);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  /* A second start: BAD_STATE, and arg1 still closed. */
  arg = new_arg(ZX_RIGHT_SAME_RIGHTS);
  CHECK_EQ(zx_process_start(m.proc, m.thread, m.entry, m.sp, arg, 0), ZX_ERR_BAD_STATE);
  CHECK_CLOSED(arg);
  CHECK_EQ(zx_thread_start(m.thread, m.entry, m.sp, 0, 0), ZX_ERR_BAD_STATE);
  mini_close(&m);

  /* ---- a child that faults dies alone, with EXCEPTION_KILL; this process carries on */
  if (mini_setup(&m, "mini-crash", mini_crash, (size_t)(mini_crash_end - mini_crash), false) == 0) {
    CHECK_EQ(zx_process_start(m.proc, m.thread, m.entry, m.sp, ZX_HANDLE_INVALID, 0), ZX_OK);
    CHECK_EQ(wait_return_code(m.proc), ZX_TASK_RETCODE_EXCEPTION_KILL);
    mini_close(&m);
  }

  /* ---- closing the last handles of a never-started process ends its Linux process */
  char name[16];
  snprintf(name, sizeof(name), "mpu%d", (int)getpid() % 1000000);
  zx_handle_t proc, vmar;
  CHECK_EQ(zx_process_create(zx_job_default(), name, strlen(name), 0, &proc, &vmar), ZX_OK);
  pid_t pid = find_comm(name);
  if (pid == 0) {
    fprintf(stderr, "mini_process: note: no Linux process named %s; not checking its end\n", name);
  }
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(proc), ZX_OK);
  if (pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    bool gone = false;
    for (int i = 0; i < 3000 && !gone; i++) {
      gone = access(path, F_OK) != 0 || find_comm(name) != pid;
      if (!gone) usleep(10000);
    }
    CHECK(gone);
  }

  CHECK_EQ(zx_handle_close(vdso.vmo), ZX_OK);
  free(vdso.img);
  return GUEST_RESULT();
}
