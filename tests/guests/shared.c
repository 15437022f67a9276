/* Shared processes: ZX_PROCESS_SHARED and zx_process_create_shared, with code really running in
 * several members of one group (each its own Linux process).
 *
 * The members run a tiny interpreter (sh_code, copied into an executable VMO in the shared
 * region, the mini-process way) whose program, given as arg2, is a list of steps in a shared
 * data page: call a vDSO function with up to seven arguments, load, store, jump, exit. So the
 * members talk through the shared region and use each other's handles, while each keeps its own
 * stack and private data at the same addresses of its restricted region. Checked:
 *  - the layouts (shared root VMAR, restricted VMAR), rights, job, vDSO facts of members;
 *  - a member maps a VMO it made into the shared region and writes it; another reads it in its
 *    own address space and writes the VMO through the first one's handle (shared table);
 *  - the same restricted address holds different data in two members;
 *  - an unmap by one member takes the page from another that is reading it in a loop: that one
 *    faults and dies with ZX_TASK_RETCODE_EXCEPTION_KILL, the rest of the group carries on;
 *  - a member made later gets every mapping of the shared region (also those made by members);
 *  - zx_process_read_memory and ZX_INFO_PROCESS_MAPS pick the region by address;
 *  - members wake each other through futexes in the shared region, while futexes at a private
 *    address are each member's own;
 *  - every error of zx_process_create_shared, in the kernel's order, including the caller's
 *    ZX_POL_NEW_PROCESS policy (checked from inside a member) and BAD_STATE once every process
 *    sharing the state has died. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/policy.h>

#include "guest_test.h"
#include "host/guest/launch/elf_image.h"

#define SHARED_BASE 0x400000001000ull
#define SHARED_SIZE (0x7ffffffff000ull - SHARED_BASE)
#define RESTRICTED_BASE 0x200000ull
#define RESTRICTED_SIZE (0x400000000000ull - RESTRICTED_BASE)
#define ROOT_RIGHTS 0x20801fu
#define VDSO_RIGHTS 0xd0f7u
#define STACK_SIZE (16u << 10)
/* Where each member keeps its stack and its private value, in its restricted region. */
#define STACK_OFF 0x20000000ull
#define PRIV_OFF 0x10000000ull
#define PRIV_ADDR (RESTRICTED_BASE + PRIV_OFF)

/* The interpreter. Entry: rdi = arg1 (kept as "the handle"), rsi = the program. Each step is
 * struct step (80 bytes): kind 0 exit through fn with last + a[0]; 1 call fn with a[0..6], each
 * argument literal (mode 0), arg1 (mode 1) or the 32-bit value at address a[i] (mode 2), last =
 * the sign-extended status; 2 last = *(u64*)a[0]; 3 *(u64*)a[0] = a[1]; 4 *(u64*)a[0] = last;
 * 5 go to the step at a[0]. */
__asm__(".pushsection .rodata.sh_code, \"a\"\n"
        ".balign 16\n"
        ".globl sh_code, sh_code_end\n"
        ".hidden sh_code, sh_code_end\n"
        "sh_code:\n"
        "  and $-16, %rsp\n"
        "  mov %rsi, %rbx\n"
        "  mov %rdi, %r13\n"
        "  xor %r12d, %r12d\n"
        ".Lsh_loop:\n"
        "  mov (%rbx), %rax\n"
        "  test %rax, %rax\n"
        "  jz .Lsh_exit\n"
        "  cmp $1, %rax\n"
        "  je .Lsh_call\n"
        "  cmp $2, %rax\n"
        "  je .Lsh_load\n"
        "  cmp $3, %rax\n"
        "  je .Lsh_store\n"
        "  cmp $4, %rax\n"
        "  je .Lsh_storelast\n"
        "  cmp $5, %rax\n"
        "  je .Lsh_goto\n"
        "  ud2\n"
        ".Lsh_load:\n"
        "  mov 16(%rbx), %rax\n"
        "  mov (%rax), %r12\n"
        "  jmp .Lsh_next\n"
        ".Lsh_store:\n"
        "  mov 16(%rbx), %rax\n"
        "  mov 24(%rbx), %rcx\n"
        "  mov %rcx, (%rax)\n"
        "  jmp .Lsh_next\n"
        ".Lsh_storelast:\n"
        "  mov 16(%rbx), %rax\n"
        "  mov %r12, (%rax)\n"
        "  jmp .Lsh_next\n"
        ".Lsh_goto:\n"
        "  mov 16(%rbx), %rbx\n"
        "  jmp .Lsh_loop\n"
        ".Lsh_call:\n"
        "  sub $64, %rsp\n"
        "  xor %ecx, %ecx\n"
        ".Lsh_arg:\n"
        "  mov 16(%rbx,%rcx,8), %rax\n"
        "  movzbl 72(%rbx,%rcx,1), %edx\n"
        "  cmp $1, %edx\n"
        "  jne 1f\n"
        "  mov %r13, %rax\n"
        "  jmp 2f\n"
        "1:\n"
        "  cmp $2, %edx\n"
        "  jne 2f\n"
        "  mov (%rax), %eax\n"
        "2:\n"
        "  mov %rax, (%rsp,%rcx,8)\n"
        "  inc %ecx\n"
        "  cmp $7, %ecx\n"
        "  jb .Lsh_arg\n"
        "  mov 0(%rsp), %rdi\n"
        "  mov 8(%rsp), %rsi\n"
        "  mov 16(%rsp), %rdx\n"
        "  mov 24(%rsp), %rcx\n"
        "  mov 32(%rsp), %r8\n"
        "  mov 40(%rsp), %r9\n"
        "  mov 48(%rsp), %rax\n"
        "  sub $16, %rsp\n"
        "  mov %rax, (%rsp)\n"
        "  call *8(%rbx)\n"
        "  add $80, %rsp\n"
        "  movslq %eax, %r12\n"
        ".Lsh_next:\n"
        "  add $80, %rbx\n"
        "  jmp .Lsh_loop\n"
        ".Lsh_exit:\n"
        "  mov %r12, %rdi\n"
        "  add 16(%rbx), %rdi\n"
        "  call *8(%rbx)\n"
        "  ud2\n"
        "sh_code_end:\n"
        ".popsection\n");
extern const char sh_code[], sh_code_end[];

enum { EXIT = 0, CALL = 1, LOAD = 2, STORE = 3, STORE_LAST = 4, GOTO = 5 };
enum { LIT = 0, ARG1 = 1, AT32 = 2 };

struct step {
  uint64_t kind, fn, a[7];
  uint8_t mode[8];
};
_Static_assert(sizeof(struct step) == 80, "the interpreter's step layout");

/* The shared data page: cells the members write, then the programs. */
struct page {
  uint64_t vmo_b, addr_b, st_b, st_c, st_f, slot_b, slot_c, seen_g, magic, out1, out2;
  char name[16];
  struct step prog_b[8], prog_c[8], prog_f[4], prog_g[4], prog_h[4], prog_a[4], prog_k[4];
};
_Static_assert(sizeof(struct page) <= 2 * 4096, "the data VMO's size");

/* ---- the vDSO, as read from its VMO */

static struct {
  zx_handle_t vmo;
  uint8_t* img;
  uint64_t ro_len, code_off, code_len;
  uint64_t exit_off, vmo_create_off, vmar_map_off, vmar_unmap_off, vmo_write_off, create_shared_off;
  uint64_t futex_wait_off, futex_wake_off;
} vdso;

static uint64_t vdso_sym(struct elf_buf mem, const struct elf_dyn* dyn, const char* name) {
  const Elf64_Sym* s = elf_lookup(mem, dyn, name);
  CHECK(s != NULL);
  return s ? s->st_value : 0;
}

static int read_vdso(void) {
  vdso.vmo = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  CHECK(vdso.vmo != ZX_HANDLE_INVALID);
  uint64_t size = 0;
  if (zx_vmo_get_size(vdso.vmo, &size) != ZX_OK || size == 0 || size >= (16u << 20)) return -1;
  vdso.img = malloc(size);
  CHECK_EQ(zx_vmo_read(vdso.vmo, vdso.img, 0, size), ZX_OK);
  struct elf_buf mem = {.data = vdso.img, .size = size, .base = 0};
  const Elf64_Ehdr* eh;
  if (elf_check_header(mem, &eh) != NULL) return -1;
  const Elf64_Phdr* ph = elf_phdrs(mem, eh);
  struct elf_dyn dyn;
  memset(&dyn, 0, sizeof(dyn));
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_DYNAMIC)
      CHECK(elf_read_dynamic(mem, ph[i].p_vaddr, ph[i].p_filesz, &dyn) == NULL);
    if (ph[i].p_type != PT_LOAD) continue;
    if (ph[i].p_flags & PF_X) {
      vdso.code_off = ph[i].p_vaddr;
      elf_page_ceil(ph[i].p_memsz, &vdso.code_len);
    } else {
      elf_page_ceil(ph[i].p_memsz, &vdso.ro_len);
    }
  }
  vdso.exit_off = vdso_sym(mem, &dyn, "_zx_process_exit");
  vdso.vmo_create_off = vdso_sym(mem, &dyn, "_zx_vmo_create");
  vdso.vmar_map_off = vdso_sym(mem, &dyn, "_zx_vmar_map");
  vdso.vmar_unmap_off = vdso_sym(mem, &dyn, "_zx_vmar_unmap");
  vdso.vmo_write_off = vdso_sym(mem, &dyn, "_zx_vmo_write");
  vdso.create_shared_off = vdso_sym(mem, &dyn, "_zx_process_create_shared");
  vdso.futex_wait_off = vdso_sym(mem, &dyn, "_zx_futex_wait");
  vdso.futex_wake_off = vdso_sym(mem, &dyn, "_zx_futex_wake");
  return vdso.code_len && vdso.exit_off && vdso.create_shared_off ? 0 : -1;
}

/* ---- groups and members */

struct group {
  zx_handle_t proc, vmar, dv;
  zx_vaddr_t vdso_base, code, data;
};

struct member {
  zx_handle_t proc, rvmar, thread;
  zx_vaddr_t sp;
};

#define AT(g, field) ((g)->data + offsetof(struct page, field))
#define FN(g, name) ((g)->vdso_base + vdso.name##_off)

static int64_t wait_rc(zx_handle_t proc) {
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(60)), NULL),
           ZX_OK);
  zx_info_process_t pi;
  memset(&pi, 0, sizeof(pi));
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL), ZX_OK);
  CHECK(pi.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  return pi.return_code;
}

static void vmar_info(zx_handle_t vmar, uint64_t base, uint64_t len) {
  zx_info_vmar_t vi;
  memset(&vi, 0, sizeof(vi));
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL), ZX_OK);
  CHECK_EQ(vi.base, base);
  CHECK_EQ(vi.len, len);
  zx_info_handle_basic_t bi;
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_HANDLE_BASIC, &bi, sizeof(bi), NULL, NULL), ZX_OK);
  CHECK_EQ(bi.rights, ROOT_RIGHTS);
}

/* A ZX_PROCESS_SHARED process with the vDSO and the interpreter in its (shared) root VMAR, and a
 * data VMO (not mapped yet). */
static int group_new(zx_handle_t job, const char* name, struct group* g) {
  memset(g, 0, sizeof(*g));
  zx_status_t s = zx_process_create(job, name, strlen(name), ZX_PROCESS_SHARED, &g->proc, &g->vmar);
  CHECK_EQ(s, ZX_OK);
  if (s != ZX_OK) return -1;
  vmar_info(g->vmar, SHARED_BASE, SHARED_SIZE);
  zx_handle_t vv;
  CHECK_EQ(zx_vmar_allocate(g->vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC,
                            0, vdso.code_off + vdso.code_len, &vv, &g->vdso_base),
           ZX_OK);
  CHECK(g->vdso_base >= SHARED_BASE);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vdso.vmo, 0, vdso.ro_len, &a), ZX_OK);
  CHECK_EQ(zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, vdso.code_off,
                       vdso.vmo, vdso.code_off, vdso.code_len, &a),
           ZX_OK);
  CHECK_EQ(zx_handle_close(vv), ZX_OK);
  uintptr_t prop = 0;
  CHECK_EQ(zx_object_get_property(g->proc, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &prop, sizeof(prop)),
           ZX_OK);
  CHECK_EQ(prop, g->vdso_base);

  uint8_t buf[4096] = {0};
  memcpy(buf, sh_code, (size_t)(sh_code_end - sh_code));
  zx_handle_t vmo, xvmo;
  CHECK_EQ(zx_vmo_create(sizeof(buf), 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_write(vmo, buf, 0, sizeof(buf)), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &xvmo), ZX_OK);
  CHECK_EQ(zx_vmar_map(g->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, xvmo, 0, sizeof(buf),
                       &g->code),
           ZX_OK);
  CHECK_EQ(zx_handle_close(xvmo), ZX_OK);
  CHECK_EQ(zx_vmo_create(2 * 4096, 0, &g->dv), ZX_OK);
  return g->code ? 0 : -1;
}

static void group_map_data(struct group* g) {
  CHECK_EQ(zx_vmar_map(g->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, g->dv, 0, 2 * 4096, &g->data),
           ZX_OK);
}

static void group_close(struct group* g) {
  CHECK_EQ(zx_handle_close(g->dv), ZX_OK);
  CHECK_EQ(zx_handle_close(g->vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(g->proc), ZX_OK);
}

static void map_at(zx_handle_t vmar, uint64_t off, uint64_t value, size_t size) {
  zx_handle_t v;
  CHECK_EQ(zx_vmo_create(size, 0, &v), ZX_OK);
  if (value) CHECK_EQ(zx_vmo_write(v, &value, 0, sizeof(value)), ZX_OK);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, off, v, 0, size, &a),
           ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

/* A new member of g with a stack in its restricted region, and a thread. */
static int member_new(struct group* g, const char* name, struct member* m) {
  memset(m, 0, sizeof(*m));
  zx_status_t s = zx_process_create_shared(g->proc, 0, name, strlen(name), &m->proc, &m->rvmar);
  CHECK_EQ(s, ZX_OK);
  if (s != ZX_OK) return -1;
  vmar_info(m->rvmar, RESTRICTED_BASE, RESTRICTED_SIZE);
  map_at(m->rvmar, STACK_OFF, 0, STACK_SIZE);
  m->sp = RESTRICTED_BASE + STACK_OFF + STACK_SIZE;
  CHECK_EQ(zx_thread_create(m->proc, "main", 4, 0, &m->thread), ZX_OK);
  return 0;
}

static void member_start(struct group* g, struct member* m, zx_vaddr_t prog, zx_handle_t arg1) {
  CHECK_EQ(zx_process_start(m->proc, m->thread, g->code, m->sp, arg1, prog), ZX_OK);
}

static void member_close(struct member* m) {
  CHECK_EQ(zx_handle_close(m->thread), ZX_OK);
  CHECK_EQ(zx_handle_close(m->rvmar), ZX_OK);
  CHECK_EQ(zx_handle_close(m->proc), ZX_OK);
}

static zx_koid_t koid_of(zx_handle_t h, zx_koid_t* related) {
  zx_info_handle_basic_t bi;
  memset(&bi, 0, sizeof(bi));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &bi, sizeof(bi), NULL, NULL), ZX_OK);
  if (related) *related = bi.related_koid;
  return bi.koid;
}

static uint64_t read_u64(zx_handle_t proc, zx_vaddr_t addr, zx_status_t expect) {
  uint64_t v = 0;
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(proc, addr, &v, sizeof(v), &actual), expect);
  return v;
}

static struct page read_page(struct group* g) {
  struct page pg;
  CHECK_EQ(zx_vmo_read(g->dv, &pg, 0, sizeof(pg)), ZX_OK);
  return pg;
}

/* ---- steps */

static struct step call(uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5, uint64_t a6, const char* modes) {
  struct step s = {.kind = CALL, .fn = fn, .a = {a0, a1, a2, a3, a4, a5, a6}};
  for (int i = 0; modes && modes[i] && i < 7; i++) s.mode[i] = (uint8_t)(modes[i] - '0');
  return s;
}
static struct step op(uint64_t kind, uint64_t a0, uint64_t a1) {
  return (struct step){.kind = kind, .a = {a0, a1}};
}
static struct step exit_step(struct group* g, uint64_t add) {
  return (struct step){.kind = EXIT, .fn = FN(g, exit), .a = {add}};
}

/* ---- zx_process_create_shared's errors, in the kernel's order */

static void test_errors(void) {
  zx_handle_t job = zx_job_default();
  zx_handle_t p, v, np, nv;
  CHECK_EQ(zx_process_create(job, "x", 1, ZX_PROCESS_SHARED | 2, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create(job, "x", 1, 2, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create(job, "sh-err", 6, ZX_PROCESS_SHARED, &p, &v), ZX_OK);
  vmar_info(v, SHARED_BASE, SHARED_SIZE);
  /* Options come first, then the name, then the handle. */
  CHECK_EQ(zx_process_create_shared(p, 1, "x", 1, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(ZX_HANDLE_INVALID, 1, "x", 1, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(p, 0, NULL, 0, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(ZX_HANDLE_INVALID, 0, NULL, 1, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(ZX_HANDLE_INVALID, 0, (const char*)8, 1, &np, &nv),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(ZX_HANDLE_INVALID, 0, "x", 1, &np, &nv), ZX_ERR_BAD_HANDLE);
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_process_create_shared(ev, 0, "x", 1, &np, &nv), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_process_create_shared(job, 0, "x", 1, &np, &nv), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  zx_handle_t weak;
  CHECK_EQ(zx_handle_duplicate(p, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_GET_PROPERTY, &weak), ZX_OK);
  CHECK_EQ(zx_process_create_shared(weak, 0, "x", 1, &np, &nv), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(weak), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(p, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_MANAGE_PROCESS, &weak), ZX_OK);
  CHECK_EQ(zx_process_create_shared(weak, 0, "x", 1, &np, &nv), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(weak), ZX_OK);
  /* Not created shared: a plain pure process, this hosted process. */
  zx_handle_t plain, plain_vmar;
  CHECK_EQ(zx_process_create(job, "plain", 5, 0, &plain, &plain_vmar), ZX_OK);
  CHECK_EQ(zx_process_create_shared(plain, 0, "x", 1, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(zx_process_self(), 0, "x", 1, &np, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(plain_vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(plain), ZX_OK);
  /* Bad out pointers: INVALID_ARGS, and no handle is left behind. */
  CHECK_EQ(zx_process_create_shared(p, 0, "x", 1, NULL, &nv), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create_shared(p, 0, "x", 1, &np, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);

  /* A name longer than ZX_MAX_NAME_LEN is cut to 31 characters. */
  const char* longname = "a-name-that-is-much-longer-than-thirty-one-characters";
  CHECK_EQ(zx_process_create_shared(p, 0, longname, strlen(longname), &np, &nv), ZX_OK);
  char got[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(np, ZX_PROP_NAME, got, sizeof(got)), ZX_OK);
  CHECK_EQ(strlen(got), ZX_MAX_NAME_LEN - 1);
  CHECK(strncmp(got, longname, ZX_MAX_NAME_LEN - 1) == 0);
  vmar_info(nv, RESTRICTED_BASE, RESTRICTED_SIZE);
  /* Same job as the process it shares with. */
  zx_koid_t job_p = 0, job_np = 0;
  koid_of(p, &job_p);
  koid_of(np, &job_np);
  CHECK_EQ(job_np, job_p);
  CHECK_EQ(job_p, koid_of(job, NULL));

  /* The first process dying leaves the group alive: another can still join through it. */
  CHECK_EQ(zx_task_kill(p), ZX_OK);
  CHECK_EQ(wait_rc(p), ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_t np2, nv2;
  CHECK_EQ(zx_process_create_shared(p, 0, "y", 1, &np2, &nv2), ZX_OK);
  /* Once every process sharing the state has died: BAD_STATE (through any of them). */
  CHECK_EQ(zx_task_kill(np), ZX_OK);
  CHECK_EQ(zx_task_kill(np2), ZX_OK);
  CHECK_EQ(wait_rc(np), ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(wait_rc(np2), ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(zx_process_create_shared(p, 0, "z", 1, &np, &nv), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_process_create_shared(np2, 0, "z", 1, &np, &nv), ZX_ERR_BAD_STATE);
  zx_info_vmar_t vi;
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL), ZX_OK);
  zx_handle_t sub;
  zx_vaddr_t sub_addr;
  CHECK_EQ(zx_vmar_allocate(v, ZX_VM_CAN_MAP_READ, 0, 4096, &sub, &sub_addr), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(nv2), ZX_OK);
  CHECK_EQ(zx_handle_close(np2), ZX_OK);
  CHECK_EQ(zx_handle_close(nv), ZX_OK);
  CHECK_EQ(zx_handle_close(np), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(zx_handle_close(p), ZX_OK);
}

/* ZX_POL_NEW_PROCESS is the caller's: a member in a job that denies it cannot add another. */
static void test_policy(void) {
  zx_handle_t job;
  CHECK_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  zx_policy_basic_v2_t pol = {ZX_POL_NEW_PROCESS, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY};
  CHECK_EQ(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &pol, 1), ZX_OK);
  struct group g;
  if (group_new(job, "sh-pol", &g) != 0) return;
  group_map_data(&g);
  struct member k;
  if (member_new(&g, "sh-pol-k", &k) == 0) {
    struct page pg;
    memset(&pg, 0, sizeof(pg));
    memcpy(pg.name, "deny", 4);
    pg.prog_k[0] = call(FN(&g, create_shared), 0, 0, AT(&g, name), 4, AT(&g, out1), AT(&g, out2), 0,
                        "1");
    pg.prog_k[1] = exit_step(&g, 0);
    CHECK_EQ(zx_vmo_write(g.dv, &pg, 0, sizeof(pg)), ZX_OK);
    zx_handle_t arg;
    CHECK_EQ(zx_handle_duplicate(g.proc, ZX_RIGHT_SAME_RIGHTS, &arg), ZX_OK);
    member_start(&g, &k, AT(&g, prog_k), arg);
    CHECK_EQ(wait_rc(k.proc), ZX_ERR_ACCESS_DENIED);
    member_close(&k);
  }
  /* The same call from here (this process's own policy allows it) works. */
  zx_handle_t np, nv;
  CHECK_EQ(zx_process_create_shared(g.proc, 0, "ok", 2, &np, &nv), ZX_OK);
  CHECK_EQ(zx_handle_close(nv), ZX_OK);
  CHECK_EQ(zx_handle_close(np), ZX_OK);
  group_close(&g);
  CHECK_EQ(zx_task_kill(job), ZX_OK);
  CHECK_EQ(zx_handle_close(job), ZX_OK);
}

/* ---- members running together */

static bool has_aspace(const zx_info_maps_t* maps, size_t n, const char* name, uint64_t base) {
  for (size_t i = 0; i < n; i++)
    if (maps[i].type == ZX_INFO_MAPS_TYPE_ASPACE && maps[i].base == base &&
        strcmp(maps[i].name, name) == 0)
      return true;
  return false;
}

static void test_group(void) {
  struct group g;
  if (group_new(zx_job_default(), "sh-a", &g) != 0) return;
  struct member b, c;
  if (member_new(&g, "sh-b", &b) != 0 || member_new(&g, "sh-c", &c) != 0) return;
  /* Members take the group's vDSO facts. */
  uintptr_t prop = 0;
  CHECK_EQ(zx_object_get_property(b.proc, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &prop, sizeof(prop)),
           ZX_OK);
  CHECK_EQ(prop, g.vdso_base);

  /* Mapped from here (a third process) after the members exist: it reaches all of them. */
  group_map_data(&g);
  zx_handle_t mv;
  zx_vaddr_t m_addr = 0;
  CHECK_EQ(zx_vmar_allocate(g.vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                            0, 4096, &mv, &m_addr),
           ZX_OK);
  /* The same private address holds different data in each member. */
  map_at(b.rvmar, PRIV_OFF, 0x1111, 4096);
  map_at(c.rvmar, PRIV_OFF, 0x2222, 4096);
  CHECK_EQ(read_u64(b.proc, PRIV_ADDR, ZX_OK), 0x1111);
  CHECK_EQ(read_u64(c.proc, PRIV_ADDR, ZX_OK), 0x2222);
  read_u64(g.proc, PRIV_ADDR, ZX_ERR_NO_MEMORY); /* the first process has no private region */
  read_u64(b.proc, g.data, ZX_OK);

  /* PROCESS_MAPS of a member: its restricted region first, then the shared one. */
  zx_info_maps_t maps[64];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(b.proc, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail),
           ZX_OK);
  CHECK(actual >= 2 && actual == avail);
  char rname[ZX_MAX_NAME_LEN], sname[ZX_MAX_NAME_LEN];
  snprintf(rname, sizeof(rname), "proc(restricted):%llu", (unsigned long long)koid_of(b.proc, NULL));
  snprintf(sname, sizeof(sname), "proc:%llu", (unsigned long long)koid_of(g.proc, NULL));
  CHECK_EQ(maps[0].type, ZX_INFO_MAPS_TYPE_ASPACE);
  CHECK_EQ(maps[0].base, RESTRICTED_BASE);
  CHECK(strcmp(maps[0].name, rname) == 0);
  CHECK(has_aspace(maps, actual, sname, SHARED_BASE));
  /* Without room, everything is still counted. */
  CHECK_EQ(zx_object_get_info(b.proc, ZX_INFO_PROCESS_MAPS, maps, 0, &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 0);
  CHECK(avail >= 2);

  /* B makes a VMO, maps it into the shared region (its own call: the fast path for itself, the
   * agents for the others), writes it, and notes its private value. */
  struct page pg;
  memset(&pg, 0, sizeof(pg));
  pg.magic = 0x6d61676963ull;
  int i = 0;
  pg.prog_b[i++] = call(FN(&g, vmo_create), 4096, 0, AT(&g, vmo_b), 0, 0, 0, 0, NULL);
  pg.prog_b[i++] = call(FN(&g, vmar_map), 0, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
                        0, AT(&g, vmo_b), 0, 4096, AT(&g, addr_b), "1002");
  pg.prog_b[i++] = op(STORE_LAST, AT(&g, st_b), 0);
  pg.prog_b[i++] = op(STORE, m_addr, 42);
  pg.prog_b[i++] = op(LOAD, PRIV_ADDR, 0);
  pg.prog_b[i++] = op(STORE_LAST, AT(&g, slot_b), 0);
  pg.prog_b[i++] = exit_step(&g, 0);
  /* C reads its own private value, writes B's VMO through B's handle, and exits with what B
   * wrote into the page B mapped. */
  i = 0;
  pg.prog_c[i++] = op(LOAD, PRIV_ADDR, 0);
  pg.prog_c[i++] = op(STORE_LAST, AT(&g, slot_c), 0);
  pg.prog_c[i++] = call(FN(&g, vmo_write), AT(&g, vmo_b), AT(&g, magic), 8, 8, 0, 0, 0, "2");
  pg.prog_c[i++] = op(STORE_LAST, AT(&g, st_c), 0);
  pg.prog_c[i++] = op(LOAD, m_addr, 0);
  pg.prog_c[i++] = exit_step(&g, 0);
  /* G reads the page at U in a loop; F unmaps it. */
  zx_handle_t uv;
  zx_vaddr_t u_addr = 0;
  uint64_t seven = 7;
  CHECK_EQ(zx_vmo_create(4096, 0, &uv), ZX_OK);
  CHECK_EQ(zx_vmo_write(uv, &seven, 0, sizeof(seven)), ZX_OK);
  CHECK_EQ(zx_vmar_map(g.vmar, ZX_VM_PERM_READ, 0, uv, 0, 4096, &u_addr), ZX_OK);
  CHECK_EQ(zx_handle_close(uv), ZX_OK);
  pg.prog_g[0] = op(LOAD, u_addr, 0);
  pg.prog_g[1] = op(STORE_LAST, AT(&g, seen_g), 0);
  pg.prog_g[2] = op(GOTO, AT(&g, prog_g[0]), 0);
  pg.prog_f[0] = call(FN(&g, vmar_unmap), 0, u_addr, 4096, 0, 0, 0, 0, "1");
  pg.prog_f[1] = op(STORE_LAST, AT(&g, st_f), 0);
  pg.prog_f[2] = exit_step(&g, 0);
  /* H (made after all that) and the first process read what B wrote. */
  pg.prog_h[0] = op(LOAD, m_addr, 0);
  pg.prog_h[1] = exit_step(&g, 1);
  pg.prog_a[0] = op(LOAD, m_addr, 0);
  pg.prog_a[1] = exit_step(&g, 2);
  CHECK_EQ(zx_vmo_write(g.dv, &pg, 0, sizeof(pg)), ZX_OK);

  zx_handle_t arg;
  CHECK_EQ(zx_handle_duplicate(mv, ZX_RIGHT_SAME_RIGHTS, &arg), ZX_OK);
  member_start(&g, &b, AT(&g, prog_b), arg);
  CHECK_EQ(wait_rc(b.proc), 0x1111); /* exits with the last value it loaded */
  pg = read_page(&g);
  CHECK_EQ(pg.st_b, ZX_OK);
  CHECK_EQ(pg.addr_b, m_addr);
  CHECK_EQ(pg.slot_b, 0x1111);
  CHECK_EQ(read_u64(g.proc, m_addr, ZX_OK), 42);

  member_start(&g, &c, AT(&g, prog_c), ZX_HANDLE_INVALID);
  CHECK_EQ(wait_rc(c.proc), 42);
  pg = read_page(&g);
  CHECK_EQ(pg.slot_c, 0x2222);
  CHECK_EQ(pg.st_c, ZX_OK);
  CHECK_EQ(read_u64(g.proc, m_addr + 8, ZX_OK), pg.magic);

  /* Unmap by one member while another reads the page: the reader faults. */
  struct member f, gm;
  if (member_new(&g, "sh-f", &f) == 0 && member_new(&g, "sh-g", &gm) == 0) {
    member_start(&g, &gm, AT(&g, prog_g), ZX_HANDLE_INVALID);
    for (int k = 0; k < 30000 && read_page(&g).seen_g != 7; k++) zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    CHECK_EQ(read_page(&g).seen_g, 7);
    CHECK_EQ(zx_handle_duplicate(g.vmar, ZX_RIGHT_SAME_RIGHTS, &arg), ZX_OK);
    member_start(&g, &f, AT(&g, prog_f), arg);
    CHECK_EQ(wait_rc(f.proc), 0);
    CHECK_EQ(read_page(&g).st_f, ZX_OK);
    CHECK_EQ(wait_rc(gm.proc), ZX_TASK_RETCODE_EXCEPTION_KILL);
    read_u64(g.proc, u_addr, ZX_ERR_NO_MEMORY);
    member_close(&f);
    member_close(&gm);
  }

  /* A member made now gets every shared mapping, B's included; the first process too. */
  struct member h;
  if (member_new(&g, "sh-h", &h) == 0) {
    member_start(&g, &h, AT(&g, prog_h), ZX_HANDLE_INVALID);
    CHECK_EQ(wait_rc(h.proc), 43);
    member_close(&h);
  }
  zx_handle_t stack, ta;
  zx_vaddr_t stack_base = 0;
  CHECK_EQ(zx_vmo_create(STACK_SIZE, 0, &stack), ZX_OK);
  CHECK_EQ(zx_vmar_map(g.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack, 0, STACK_SIZE,
                       &stack_base),
           ZX_OK);
  CHECK_EQ(zx_handle_close(stack), ZX_OK);
  CHECK_EQ(zx_thread_create(g.proc, "main", 4, 0, &ta), ZX_OK);
  CHECK_EQ(zx_process_start(g.proc, ta, g.code, stack_base + STACK_SIZE, ZX_HANDLE_INVALID,
                            AT(&g, prog_a)),
           ZX_OK);
  CHECK_EQ(wait_rc(g.proc), 44);
  CHECK_EQ(zx_handle_close(ta), ZX_OK);

  /* Every process of the group is dead now. */
  zx_handle_t np, nv;
  CHECK_EQ(zx_process_create_shared(b.proc, 0, "late", 4, &np, &nv), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(mv), ZX_OK);
  member_close(&b);
  member_close(&c);
  group_close(&g);
}

/* ---- futexes: the shared region's are the group's, private addresses each member's own */

struct fpage {
  uint64_t f1, f2, st_q, st_p, st_x;
  struct step prog_q[6], prog_p[4], prog_r[4], prog_x[4], prog_y[4];
};
_Static_assert(sizeof(struct fpage) <= 2 * 4096, "the futex page's size");

#define FAT(base, field) ((base) + offsetof(struct fpage, field))

static void until_blocked(zx_handle_t thread) {
  zx_info_thread_t ti;
  for (int k = 0; k < 30000; k++) {
    memset(&ti, 0, sizeof(ti));
    CHECK_EQ(zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL), ZX_OK);
    if (ti.state == ZX_THREAD_STATE_BLOCKED_FUTEX) return;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  CHECK_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_FUTEX);
}

static void test_futex(void) {
  struct group g;
  if (group_new(zx_job_default(), "fx-a", &g) != 0) return;
  struct member q, p, r, x, y;
  if (member_new(&g, "fx-q", &q) != 0 || member_new(&g, "fx-p", &p) != 0 ||
      member_new(&g, "fx-r", &r) != 0 || member_new(&g, "fx-x", &x) != 0 ||
      member_new(&g, "fx-y", &y) != 0)
    return;
  zx_handle_t fv;
  zx_vaddr_t fp = 0;
  CHECK_EQ(zx_vmo_create(2 * 4096, 0, &fv), ZX_OK);
  CHECK_EQ(zx_vmar_map(g.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, fv, 0, 2 * 4096, &fp), ZX_OK);
  /* The same private address in x and y, both 0. */
  map_at(x.rvmar, PRIV_OFF, 0, 4096);
  map_at(y.rvmar, PRIV_OFF, 0, 4096);
  uint64_t later = (uint64_t)zx_deadline_after(ZX_SEC(30));
  struct fpage pg;
  memset(&pg, 0, sizeof(pg));
  /* Q waits in f1, then sets f2 and wakes P; P waits in f2; R sets f1 and wakes Q. */
  pg.prog_q[0] = call(FN(&g, futex_wait), FAT(fp, f1), 0, 0, later, 0, 0, 0, NULL);
  pg.prog_q[1] = op(STORE_LAST, FAT(fp, st_q), 0);
  pg.prog_q[2] = op(STORE, FAT(fp, f2), 1);
  pg.prog_q[3] = call(FN(&g, futex_wake), FAT(fp, f2), 1, 0, 0, 0, 0, 0, NULL);
  pg.prog_q[4] = exit_step(&g, 0);
  pg.prog_p[0] = call(FN(&g, futex_wait), FAT(fp, f2), 0, 0, later, 0, 0, 0, NULL);
  pg.prog_p[1] = op(STORE_LAST, FAT(fp, st_p), 0);
  pg.prog_p[2] = exit_step(&g, 0);
  pg.prog_r[0] = op(STORE, FAT(fp, f1), 1);
  pg.prog_r[1] = call(FN(&g, futex_wake), FAT(fp, f1), UINT32_MAX, 0, 0, 0, 0, 0, NULL);
  pg.prog_r[2] = exit_step(&g, 0);
  /* X waits at a private address for 300 ms; Y wakes the same address in its own region. */
  uint64_t soon = (uint64_t)zx_deadline_after(ZX_MSEC(300));
  pg.prog_x[0] = call(FN(&g, futex_wait), PRIV_ADDR, 0, 0, soon, 0, 0, 0, NULL);
  pg.prog_x[1] = op(STORE_LAST, FAT(fp, st_x), 0);
  pg.prog_x[2] = exit_step(&g, 0);
  pg.prog_y[0] = call(FN(&g, futex_wake), PRIV_ADDR, UINT32_MAX, 0, 0, 0, 0, 0, NULL);
  pg.prog_y[1] = exit_step(&g, 0);
  CHECK_EQ(zx_vmo_write(fv, &pg, 0, sizeof(pg)), ZX_OK);

  member_start(&g, &q, FAT(fp, prog_q), ZX_HANDLE_INVALID);
  until_blocked(q.thread);
  member_start(&g, &p, FAT(fp, prog_p), ZX_HANDLE_INVALID);
  until_blocked(p.thread);
  member_start(&g, &r, FAT(fp, prog_r), ZX_HANDLE_INVALID);
  CHECK_EQ(wait_rc(r.proc), ZX_OK);
  CHECK_EQ(wait_rc(q.proc), ZX_OK);
  CHECK_EQ(wait_rc(p.proc), ZX_OK);
  CHECK_EQ(zx_vmo_read(fv, &pg, 0, sizeof(pg)), ZX_OK);
  CHECK_EQ(pg.st_q, ZX_OK); /* woken by R, not timed out */
  CHECK_EQ(pg.st_p, ZX_OK); /* woken by Q */

  member_start(&g, &x, FAT(fp, prog_x), ZX_HANDLE_INVALID);
  until_blocked(x.thread);
  member_start(&g, &y, FAT(fp, prog_y), ZX_HANDLE_INVALID);
  CHECK_EQ(wait_rc(y.proc), ZX_OK);
  CHECK_EQ(wait_rc(x.proc), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_vmo_read(fv, &pg, 0, sizeof(pg)), ZX_OK);
  CHECK_EQ((int64_t)pg.st_x, ZX_ERR_TIMED_OUT);

  CHECK_EQ(zx_handle_close(fv), ZX_OK);
  member_close(&q);
  member_close(&p);
  member_close(&r);
  member_close(&x);
  member_close(&y);
  group_close(&g);
}

int main(void) {
  if (read_vdso() != 0) {
    CHECK(!"vDSO");
    return GUEST_RESULT();
  }
  test_errors();
  test_policy();
  test_group();
  test_futex();
  CHECK_EQ(zx_handle_close(vdso.vmo), ZX_OK);
  free(vdso.img);
  return GUEST_RESULT();
}
