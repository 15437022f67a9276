/* Concurrent first faults on the pages of a copy-on-write child: four threads released
 * at once on a fresh child mapping, many rounds. In every round each thread
 *   A. reads page 0 first (all on the same page), then adds 1 to a counter in it;
 *   B. adds 1 to a counter in page 1 as its first access (a write fault on a page others are
 *      faulting too), then stores its own mark there;
 *   C. sweeps pages 2-23 from its own starting page: checks the first 512 bytes are the parent's,
 *      stores its mark in its own slot, adds 1 to the page's counter;
 * while the main thread has the supervisor read from and write into pages 22 and 23 (zx_vmo_write
 * from the mapping, zx_vmo_read into it). Then every page must be the parent's bytes plus exactly
 * every thread's marks and counts: a fault resolved twice, or a copy over a page a thread already
 * wrote, loses one. Odd rounds map the child twice and half the threads use the second mapping;
 * they alternate SNAPSHOT and SNAPSHOT_AT_LEAST_ON_WRITE. The parent never changes. Then a
 * focused race on one page: a thread's first write against the supervisor's zx_vmo_read into the
 * same untouched page. */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "guest_test.h"
#include "cow_util.h"

enum { NT = 4, NPAGES = 24, ROUNDS = 200, CHECKED = 512, SLOT = 512, COUNTER = 1024 };
enum { MAIN_SLOT = 3072 };

/* Parent tags per page: a few holes. */
static uint32_t tag_of(uint32_t page) { return page == 5 || page == 6 || page == 13 ? 0 : 11; }

static uint8_t expect_page[NPAGES][PG]; /* the parent's pages */
static atomic_int gen;                  /* round number (1-based); -1: quit */
static atomic_int done;                 /* threads done with the current round, cumulative */
static atomic_int errors;
static uint8_t* volatile map_a;
static uint8_t* volatile map_b;

static void spin_until(atomic_int* v, int want) {
  for (int n = 0; atomic_load_explicit(v, memory_order_acquire) < want; n++) {
    if (n > 64)
      sched_yield();
    else
      __builtin_ia32_pause();
  }
}

static uint64_t mark(int t, int round) { return 0x6d61726b00000000ull | (uint64_t)(t + 1) << 24 | (uint64_t)round; }

static void* worker(void* arg) {
  int t = (int)(intptr_t)arg;
  for (int round = 1;; round++) {
    int g;
    for (int n = 0; (g = atomic_load_explicit(&gen, memory_order_acquire)) != round && g >= 0; n++) {
      if (n > 64)
        sched_yield();
      else
        __builtin_ia32_pause();
    }
    if (g < 0) return NULL;
    uint8_t* m = (t & 1) && map_b ? map_b : map_a;
    int bad = 0;
    /* A: read first, all on page 0. */
    if (m[t * 8] != expect_page[0][t * 8]) bad++;
    if (memcmp(m, expect_page[0], CHECKED) != 0) bad++;
    __atomic_fetch_add((uint32_t*)(m + COUNTER), 1, __ATOMIC_SEQ_CST);
    /* B: write first, page 1. */
    __atomic_fetch_add((uint32_t*)(m + PG + COUNTER), 1, __ATOMIC_SEQ_CST);
    uint64_t mk = mark(t, round);
    memcpy(m + PG + SLOT + t * 8, &mk, 8);
    if (memcmp(m + PG, expect_page[1], CHECKED) != 0) bad++;
    /* C: a sweep from the thread's own starting page. */
    for (int k = 0; k < NPAGES - 2; k++) {
      int pg = 2 + (t * 5 + k) % (NPAGES - 2);
      uint8_t* p = m + (uint64_t)pg * PG;
      if (memcmp(p, expect_page[pg], CHECKED) != 0) bad++;
      memcpy(p + SLOT + t * 8, &mk, 8);
      __atomic_fetch_add((uint32_t*)(p + COUNTER), 1, __ATOMIC_SEQ_CST);
    }
    if (bad) atomic_fetch_add(&errors, bad);
    atomic_fetch_add_explicit(&done, 1, memory_order_release);
  }
}

/* What page pg of the child must hold after round `round`. */
static void want_page(uint8_t* out, int pg, int round, const uint8_t* main_bytes) {
  memcpy(out, expect_page[pg], PG);
  if (pg == 0) {
    uint32_t c;
    memcpy(&c, out + COUNTER, 4);
    c += NT;
    memcpy(out + COUNTER, &c, 4);
    return;
  }
  for (int t = 0; t < NT; t++) {
    uint64_t mk = mark(t, round);
    memcpy(out + SLOT + t * 8, &mk, 8);
  }
  uint32_t c;
  memcpy(&c, out + COUNTER, 4);
  c += NT;
  memcpy(out + COUNTER, &c, 4);
  if (pg == NPAGES - 1) memcpy(out + MAIN_SLOT, main_bytes, 8);
}

/* Says where page pg differs from what it should be (stderr). */
static void explain(int round, int pg, const char* via, const uint8_t* got, const uint8_t* want) {
  int first = -1, last = -1, n = 0;
  for (int i = 0; i < (int)PG; i++)
    if (got[i] != want[i]) {
      if (first < 0) first = i;
      last = i;
      n++;
    }
  fprintf(stderr, "round %d page %d via %s: %d bytes differ in [%d, %d]: byte %d is %#x, want %#x%s\n",
          round, pg, via, n, first, last, first, got[first], want[first],
          pat_is(got, 0, 0) ? " (the page is all zeros)" : "");
}

/* ---- the supervisor against one thread, on one page

 * A focused race: a thread's first write to a page of a fresh child mapping against the
 * supervisor writing into the same untouched page (zx_vmo_read into it), the thread started a
 * little later each round so that the two meet at every point of each other's path. Both
 * writes must survive. */
enum { RACE_ROUNDS = 2000 };
static atomic_int race_gen;
static atomic_int race_done;
static uint8_t* volatile race_map;

static void* race_worker(void* arg) {
  (void)arg;
  for (int round = 1;; round++) {
    int g;
    while ((g = atomic_load_explicit(&race_gen, memory_order_acquire)) != round && g >= 0)
      __builtin_ia32_pause();
    if (g < 0) return NULL;
    for (int i = 0; i < (round * 7) % 200; i++) __builtin_ia32_pause();
    uint8_t* p = race_map + PG;
    __atomic_fetch_add((uint32_t*)(p + COUNTER), 1, __ATOMIC_SEQ_CST);
    uint64_t mk = mark(0, round);
    memcpy(p + SLOT, &mk, 8);
    atomic_store_explicit(&race_done, round, memory_order_release);
  }
}

static void test_supervisor_race(zx_handle_t p, zx_handle_t src) {
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, race_worker, NULL), 0);
  int bad = 0;
  static uint8_t want[PG], got[PG];
  for (int round = 1; round <= RACE_ROUNDS; round++) {
    zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PG);
    race_map = cow_map(zx_vmar_root_self(), RW, c, 0, 2 * PG);
    if (!race_map) break;
    uint8_t main_bytes[8];
    for (int i = 0; i < 8; i++) main_bytes[i] = (uint8_t)(round * 8 + i + 1);
    CHECK_EQ(zx_vmo_write(src, main_bytes, 0, 8), ZX_OK);
    atomic_store_explicit(&race_gen, round, memory_order_release);
    CHECK_EQ(zx_vmo_read(src, race_map + PG + MAIN_SLOT, 0, 8), ZX_OK);
    spin_until(&race_done, round);
    memcpy(want, expect_page[1], PG);
    uint32_t n;
    memcpy(&n, want + COUNTER, 4);
    n++;
    memcpy(want + COUNTER, &n, 4);
    uint64_t mk = mark(0, round);
    memcpy(want + SLOT, &mk, 8);
    memcpy(want + MAIN_SLOT, main_bytes, 8);
    if (memcmp(race_map + PG, want, PG) != 0) {
      if (bad++ < 5) explain(round, 1, "the mapping (supervisor race)", race_map + PG, want);
    } else if (zx_vmo_read(c, got, PG, PG) != ZX_OK || memcmp(got, want, PG) != 0) {
      if (bad++ < 5) explain(round, 1, "zx_vmo_read (supervisor race)", got, want);
    }
    cow_unmap(race_map, 2 * PG);
    CHECK_EQ(zx_handle_close(c), ZX_OK);
  }
  atomic_store_explicit(&race_gen, -1, memory_order_release);
  CHECK_EQ(pthread_join(th, NULL), 0);
  CHECK_EQ(bad, 0);
}

int main(void) {
  fprintf(stderr, "vmo_cow_threads: expecting the %s path\n",
          cow_expect_uffd() ? "userfaultfd" : "fallback (eager copy)");
  zx_handle_t p = ZX_HANDLE_INVALID, src = ZX_HANDLE_INVALID, dst = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(NPAGES * PG, 0, &p), ZX_OK);
  CHECK_EQ(zx_vmo_create(PG, 0, &src), ZX_OK);
  CHECK_EQ(zx_vmo_create(PG, 0, &dst), ZX_OK);
  for (uint32_t i = 0; i < NPAGES; i++) {
    if (tag_of(i)) pat_fill(expect_page[i], tag_of(i), i);
    if (tag_of(i)) CHECK_EQ(zx_vmo_write(p, expect_page[i], (uint64_t)i * PG, PG), ZX_OK);
  }
  pthread_t th[NT];
  for (int t = 0; t < NT; t++)
    CHECK_EQ(pthread_create(&th[t], NULL, worker, (void*)(intptr_t)t), 0);

  int bad_rounds = 0;
  static uint8_t want[PG], got[PG];
  for (int round = 1; round <= ROUNDS; round++) {
    uint32_t flavour = round & 1 ? ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE : ZX_VMO_CHILD_SNAPSHOT;
    zx_handle_t c = cow_child(p, flavour, 0, NPAGES * PG);
    map_a = cow_map(zx_vmar_root_self(), RW, c, 0, NPAGES * PG);
    map_b = round & 1 ? cow_map(zx_vmar_root_self(), RW, c, 0, NPAGES * PG) : NULL;
    if (!map_a) break;
    uint8_t main_bytes[8];
    for (int i = 0; i < 8; i++) main_bytes[i] = (uint8_t)(round * 8 + i);
    CHECK_EQ(zx_vmo_write(src, main_bytes, 0, 8), ZX_OK);
    atomic_store_explicit(&gen, round, memory_order_release);
    /* The supervisor, racing with the threads' first faults. */
    CHECK_EQ(zx_vmo_write(dst, map_a + (NPAGES - 2) * PG, 0, CHECKED), ZX_OK);
    CHECK_EQ(zx_vmo_read(src, map_a + (NPAGES - 1) * PG + MAIN_SLOT, 0, 8), ZX_OK);
    spin_until(&done, NT * round);
    CHECK_EQ(zx_vmo_read(dst, got, 0, CHECKED), ZX_OK);
    int bad = memcmp(got, expect_page[NPAGES - 2], CHECKED) != 0;
    for (int pg = 0; pg < NPAGES; pg++) {
      want_page(want, pg, round, main_bytes);
      if (memcmp(map_a + (uint64_t)pg * PG, want, PG) != 0) {
        bad++;
        if (bad_rounds < 5) explain(round, pg, "the mapping", map_a + (uint64_t)pg * PG, want);
      }
      if (map_b && memcmp(map_b + (uint64_t)pg * PG, want, PG) != 0) bad++;
      if (zx_vmo_read(c, got, (uint64_t)pg * PG, PG) != ZX_OK || memcmp(got, want, PG) != 0) {
        bad++;
        if (bad_rounds < 5) explain(round, pg, "zx_vmo_read", got, want);
      }
      if (round % 16 == 0) { /* the parent, now and then: never changed */
        if (zx_vmo_read(p, got, (uint64_t)pg * PG, PG) != ZX_OK ||
            memcmp(got, expect_page[pg], PG) != 0)
          bad++;
      }
    }
    if (bad && bad_rounds++ < 5) fprintf(stderr, "round %d: %d pages wrong\n", round, bad);
    cow_unmap(map_a, NPAGES * PG);
    if (map_b) cow_unmap(map_b, NPAGES * PG);
    CHECK_EQ(zx_handle_close(c), ZX_OK);
  }
  atomic_store_explicit(&gen, -1, memory_order_release);
  for (int t = 0; t < NT; t++) CHECK_EQ(pthread_join(th[t], NULL), 0);
  CHECK_EQ(bad_rounds, 0);
  CHECK_EQ(atomic_load(&errors), 0);
  test_supervisor_race(p, src);
  for (uint32_t i = 0; i < NPAGES; i++) CHECK(pat_vmo_is(p, tag_of(i), i));
  CHECK_EQ(cow_info(p).num_children, 0);
  zx_handle_close(src);
  zx_handle_close(dst);
  zx_handle_close(p);
  return GUEST_RESULT();
}
