/* VMARs through the real trap, with the mappings really in this Linux process: write through a
 * mapping and read it back with zx_vmo_read and through a second mapping; unmap and protect and
 * watch the faults (probed in a forked Linux child); sub-VMARs, a 45 GiB reservation that costs
 * nothing, info topics, the error paths; then a second process (tests/helpers/vmar_helper)
 * whose root VMAR this process maps into. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zum/zum.h>

#include "guest_test.h"
#include "vmar_client.h"

#define PG 4096u
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

static zx_handle_t make_vmo(uint64_t size) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, 0, &h), ZX_OK);
  return h;
}

static zx_info_vmo_t vmo_info(zx_handle_t h) {
  zx_info_vmo_t i;
  memset(&i, 0, sizeof(i));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static void test_map_write_read(void) {
  zx_handle_t vmo = make_vmo(4 * PG);
  zx_vaddr_t a = 0, b = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, vmo, 0, 4 * PG, &a), ZX_OK);
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, PG, 3 * PG, &b), ZX_OK);
  CHECK(a != 0 && b != 0 && a != b);
  zx_info_vmar_t root;
  CHECK_EQ(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL),
           ZX_OK);
  CHECK(a >= root.base && a + 4 * PG <= root.base + root.len);
  /* Through the first mapping, back through zx_vmo_read and the second mapping. */
  char* pa = (char*)a;
  strcpy(pa + PG + 10, "written through a mapping");
  char buf[64] = {0};
  CHECK_EQ(zx_vmo_read(vmo, buf, PG + 10, 26), ZX_OK);
  CHECK(strcmp(buf, "written through a mapping") == 0);
  CHECK(strcmp((char*)b + 10, "written through a mapping") == 0);
  /* And the other way: zx_vmo_write shows up in both mappings. */
  CHECK_EQ(zx_vmo_write(vmo, "from zx_vmo_write", 2 * PG, 18), ZX_OK);
  CHECK(strcmp(pa + 2 * PG, "from zx_vmo_write") == 0);
  CHECK(strcmp((char*)b + PG, "from zx_vmo_write") == 0);
  CHECK_EQ(vmo_info(vmo).num_mappings, 2);
  /* The read-only mapping refuses writes; unmapping leaves a faulting hole. */
  CHECK_EQ(vmar_access_faults(b, 1), 1);
  CHECK_EQ(vmar_access_faults(b, 0), 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), a + PG, PG), ZX_OK);
  CHECK_EQ(vmar_access_faults(a + PG, 0), 1);
  CHECK_EQ(vmar_access_faults(a, 1), 0);
  CHECK_EQ(vmar_access_faults(a + 2 * PG, 1), 0);
  CHECK_EQ(vmo_info(vmo).num_mappings, 3); /* a was split in two */
  /* Protect read-only, then back. */
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, a + 2 * PG, PG), ZX_OK);
  CHECK_EQ(vmar_access_faults(a + 2 * PG, 1), 1);
  CHECK_EQ(vmar_access_faults(a + 3 * PG, 1), 0);
  CHECK(strcmp(pa + 2 * PG, "from zx_vmo_write") == 0);
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), RW, a + 2 * PG, PG), ZX_OK);
  pa[2 * PG] = 'F';
  CHECK_EQ(zx_vmo_read(vmo, buf, 2 * PG, 1), ZX_OK);
  CHECK_EQ(buf[0], 'F');
  /* No access at all. */
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), 0, a, PG), ZX_OK);
  CHECK_EQ(vmar_access_faults(a, 0), 1);
  /* The mappings outlive the VMO handle. */
  zx_handle_close(vmo);
  CHECK(strcmp((char*)b + PG, "From zx_vmo_write") == 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), a, 4 * PG), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), b, 3 * PG), ZX_OK);
  CHECK_EQ(vmar_access_faults(b, 0), 1);
}

static void test_beyond_vmo_end(void) {
  /* Mapping past the VMO's end is allowed; touching that part faults. */
  zx_handle_t vmo = make_vmo(PG);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, vmo, 0, 3 * PG, &a), ZX_OK);
  CHECK_EQ(vmar_access_faults(a, 1), 0);
  CHECK_EQ(vmar_access_faults(a + PG, 0), 1);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), a, 3 * PG), ZX_OK);
  zx_handle_close(vmo);
}

static uint64_t rss_kib(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  uint64_t kib = 0;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "VmRSS: %lu kB", &kib) == 1) break;
  fclose(f);
  return kib;
}

static void test_subvmars(void) {
  /* A 45 GiB reservation commits nothing. */
  uint64_t before = rss_kib();
  zx_handle_t big = ZX_HANDLE_INVALID;
  zx_vaddr_t base = 0;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                            0, 45ull << 30, &big, &base),
           ZX_OK);
  CHECK(rss_kib() < before + 1024);
  /* Its rights follow its CAN_MAP flags. */
  zx_info_handle_basic_t hb;
  CHECK_EQ(zx_object_get_info(big, ZX_INFO_HANDLE_BASIC, &hb, sizeof(hb), NULL, NULL), ZX_OK);
  CHECK_EQ(hb.rights, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  /* A mapping at its very end, at a chosen place. */
  zx_handle_t vmo = make_vmo(PG);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(big, RW | ZX_VM_SPECIFIC, (45ull << 30) - PG, vmo, 0, PG, &a), ZX_OK);
  CHECK_EQ(a, base + (45ull << 30) - PG);
  *(volatile int*)a = 42;
  CHECK_EQ(zx_vmar_map(big, RW | ZX_VM_SPECIFIC, (45ull << 30) - PG, vmo, 0, PG, &a),
           ZX_ERR_ALREADY_EXISTS);
  /* No EXECUTE in this VMAR. */
  CHECK_EQ(zx_vmar_map(big, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo, 0, PG, &a),
           ZX_ERR_ACCESS_DENIED);
  /* A nested VMAR gets at most its parent's CAN_MAP flags. */
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t sb = 0;
  CHECK_EQ(zx_vmar_allocate(big, ZX_VM_CAN_MAP_EXECUTE, 0, PG, &sub, &sb), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_allocate(big, ZX_VM_CAN_MAP_READ | ZX_VM_COMPACT | ZX_VM_ALIGN_1MB, 0, 16 * PG,
                            &sub, &sb),
           ZX_OK);
  CHECK_EQ(sb & ((1u << 20) - 1), 0);
  CHECK(sb >= base && sb < base + (45ull << 30));
  /* VMAR_MAPS of the big one: itself, the sub-VMAR and the mapping. */
  zx_info_maps_t maps[4];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(big, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 3);
  CHECK_EQ(avail, 3);
  CHECK_EQ(maps[0].type, ZX_INFO_MAPS_TYPE_VMAR);
  CHECK_EQ(maps[1].base, sb);
  CHECK_EQ(maps[2].type, ZX_INFO_MAPS_TYPE_MAPPING);
  CHECK_EQ(maps[2].u.mapping.vmo_koid, vmo_info(vmo).koid);
  CHECK_EQ(maps[2].u.mapping.committed_bytes, PG);
  /* Destroy: the mapping goes (faults), the handle stays valid but dead. */
  CHECK_EQ(zx_vmar_destroy(big), ZX_OK);
  CHECK_EQ(vmar_access_faults(base + (45ull << 30) - PG, 0), 1);
  CHECK_EQ(zx_vmar_map(big, RW, 0, vmo, 0, PG, &a), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_map(sub, ZX_VM_PERM_READ, 0, vmo, 0, PG, &a), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_destroy(big), ZX_ERR_BAD_STATE);
  zx_info_vmar_t vi;
  CHECK_EQ(zx_object_get_info(big, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL), ZX_OK);
  CHECK_EQ(vi.base, base);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  zx_handle_close(sub);
  zx_handle_close(big);
  zx_handle_close(vmo);
}

static void test_errors(void) {
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t vmo = make_vmo(PG);
  zx_vaddr_t a = 0;
  /* Closed handles. */
  zx_handle_t gone = make_vmo(PG);
  zx_handle_close(gone);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, gone, 0, PG, &a), ZX_ERR_BAD_HANDLE);
  zx_handle_t dup = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(root, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
  zx_handle_close(dup);
  CHECK_EQ(zx_vmar_unmap(dup, 0, PG), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_map(vmo, ZX_VM_PERM_READ, 0, vmo, 0, PG, &a), ZX_ERR_WRONG_TYPE);
  /* Unaligned, out of range, overlap. */
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, vmo, 1, PG, &a), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 3, vmo, 0, PG, &a),
           ZX_ERR_INVALID_ARGS);
  zx_info_vmar_t ri;
  CHECK_EQ(zx_object_get_info(root, ZX_INFO_VMAR, &ri, sizeof(ri), NULL, NULL), ZX_OK);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, ri.len, vmo, 0, PG, &a),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, vmo, 0, UINT64_MAX, &a), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_unmap(root, ri.base + 1, PG), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_unmap(root, ri.base - PG, PG), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, ri.base + ri.len, PG), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, ri.base + ri.len, PG, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, vmo, 0, PG, &a), ZX_OK);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, a - ri.base, vmo, 0, PG, &a),
           ZX_ERR_ALREADY_EXISTS);
  /* Missing rights. */
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &ro), ZX_OK);
  zx_vaddr_t r = 0;
  CHECK_EQ(zx_vmar_map(root, RW, 0, ro, 0, PG, &r), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, ro, 0, PG, &r), ZX_OK);
  CHECK_EQ(zx_vmar_protect(root, RW, r, PG), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, r, PG, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_t nomap = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP, &nomap), ZX_OK);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, nomap, 0, PG, &r), ZX_ERR_ACCESS_DENIED);
  /* The root cannot be destroyed; op_range over a hole is BAD_STATE. */
  CHECK_EQ(zx_vmar_destroy(root), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_MAP_RANGE, ri.base, ri.len, NULL, 0),
           ZX_ERR_BAD_STATE);
  /* a was mapped read-only, but both handles allowed writing: it may commit. */
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, a, PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, a, PG), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, r, PG), ZX_OK);
  zx_handle_close(nomap);
  zx_handle_close(ro);
  zx_handle_close(vmo);
}

static void test_op_range_and_self_memory(void) {
  zx_handle_t vmo = make_vmo(4 * PG);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW | ZX_VM_MAP_RANGE, 0, vmo, 0, 4 * PG, &a), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_COMMIT, a, 2 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(vmo).committed_bytes, 2 * PG);
  memset((void*)a, 0x5a, 4 * PG);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_ZERO, a + PG, PG, NULL, 0), ZX_OK);
  CHECK_EQ(((uint8_t*)a)[PG], 0);
  CHECK_EQ(((uint8_t*)a)[0], 0x5a);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_DECOMMIT, a, 4 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(((uint8_t*)a)[0], 0);
  /* zx_process_read_memory / write_memory on this very process. */
  strcpy((char*)a + 64, "peek");
  char buf[8] = {0};
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(zx_process_self(), a + 64, buf, 5, &actual), ZX_OK);
  CHECK_EQ(actual, 5);
  CHECK(strcmp(buf, "peek") == 0);
  CHECK_EQ(zx_process_write_memory(zx_process_self(), a + 64, "poke", 4, &actual), ZX_OK);
  CHECK(strcmp((char*)a + 64, "poke") == 0);
  /* Memory outside any mapping (this program's own stack is not in a VMAR). */
  CHECK_EQ(zx_process_read_memory(zx_process_self(), (zx_vaddr_t)buf, buf, 4, &actual),
           ZX_ERR_NO_MEMORY);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), a, 4 * PG), ZX_OK);
  zx_handle_close(vmo);
}

/* ---- a second process */

static void test_other_process(void) {
  zx_handle_t mine, proc;
  zx_handle_t vmar = start_vmar_helper(&proc, &mine); /* their root VMAR */
  zx_signals_t seen = 0;
  if (!vmar) return;

  zx_handle_t vmo = make_vmo(2 * PG);
  CHECK_EQ(zx_vmo_write(vmo, "mapped by another process", 0, 26), ZX_OK);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, vmo, 0, 2 * PG, &a), ZX_OK);
  zx_info_vmar_t vi;
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL), ZX_OK);
  CHECK(a >= vi.base && a + 2 * PG <= vi.base + vi.len);
  char reply[VMAR_PROTO_MAX];
  /* They read it through a plain pointer... */
  ask(mine, VMAR_REQ_READ, a, NULL, 26, reply);
  CHECK(strcmp(reply, "mapped by another process") == 0);
  /* ... write through one, which this process sees with zx_vmo_read and its own mapping. */
  ask(mine, VMAR_REQ_WRITE, a + PG, "their write", 12, reply);
  CHECK(strcmp(reply, "ok") == 0);
  char buf[32] = {0};
  CHECK_EQ(zx_vmo_read(vmo, buf, PG, 12), ZX_OK);
  CHECK(strcmp(buf, "their write") == 0);
  zx_vaddr_t mine_a = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 2 * PG, &mine_a), ZX_OK);
  CHECK(strcmp((char*)mine_a + PG, "their write") == 0);
  /* zx_process_read_memory of their address. */
  size_t actual = 0;
  memset(buf, 0, sizeof(buf));
  CHECK_EQ(zx_process_read_memory(proc, a, buf, 26, &actual), ZX_OK);
  CHECK_EQ(actual, 26);
  CHECK(strcmp(buf, "mapped by another process") == 0);
  /* Protect there: their writes fault, reads do not. */
  CHECK_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ, a, PG), ZX_OK);
  ask(mine, VMAR_REQ_PROBE_W, a, NULL, 0, reply);
  CHECK(strcmp(reply, "fault") == 0);
  ask(mine, VMAR_REQ_PROBE_R, a, NULL, 0, reply);
  CHECK(strcmp(reply, "ok") == 0);
  ask(mine, VMAR_REQ_PROBE_W, a + PG, NULL, 0, reply);
  CHECK(strcmp(reply, "ok") == 0);
  /* Unmap there: gone for them, still here. */
  CHECK_EQ(zx_vmar_unmap(vmar, a, 2 * PG), ZX_OK);
  ask(mine, VMAR_REQ_PROBE_R, a + PG, NULL, 0, reply);
  CHECK(strcmp(reply, "fault") == 0);
  CHECK(strcmp((char*)mine_a, "mapped by another process") == 0);
  CHECK_EQ(zx_process_read_memory(proc, a, buf, 8, &actual), ZX_ERR_NO_MEMORY);
  /* The process map lists our mapping in their tree while it exists. */
  zx_vaddr_t again = 0;
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, a - vi.base, vmo, 0, PG, &again),
           ZX_OK);
  CHECK_EQ(again, a);
  zx_info_maps_t maps[8];
  size_t avail = 0;
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 3); /* aspace, root VMAR, the mapping */
  CHECK_EQ(maps[2].base, a);
  CHECK_EQ(maps[2].u.mapping.vmo_koid, vmo_info(vmo).koid);

  ask(mine, VMAR_REQ_EXIT, 0, NULL, 0, reply);
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &seen), ZX_OK);
  /* Their address space is gone with them. */
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, PG, &again), ZX_ERR_BAD_STATE);
  CHECK_EQ(vmo_info(vmo).num_mappings, 1);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), mine_a, 2 * PG), ZX_OK);
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(mine);
  zx_handle_close(proc);
}

int main(void) {
  test_map_write_read();
  test_beyond_vmo_end();
  test_subvmars();
  test_errors();
  test_op_range_and_self_memory();
  test_other_process();
  return GUEST_RESULT();
}
