#include "kobj/deadline.h"

#include <stdlib.h>

static struct kdeadline** heap;
static size_t heap_len, heap_cap;

static void place(size_t i, struct kdeadline* d) {
  heap[i] = d;
  d->heap_index = i;
}

static void sift_up(size_t i) {
  struct kdeadline* d = heap[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (heap[p]->when <= d->when) break;
    place(i, heap[p]);
    i = p;
  }
  place(i, d);
}

static void sift_down(size_t i) {
  struct kdeadline* d = heap[i];
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    int64_t mw = d->when;
    if (l < heap_len && heap[l]->when < mw) m = l, mw = heap[l]->when;
    if (r < heap_len && heap[r]->when < mw) m = r;
    if (m == i) break;
    place(i, heap[m]);
    i = m;
  }
  place(i, d);
}

void kdeadline_init(struct kdeadline* d, void (*fire)(struct kdeadline*)) {
  d->when = INT64_MAX;
  d->fire = fire;
  d->heap_index = SIZE_MAX;
}

void kdeadline_cancel(struct kdeadline* d) {
  size_t i = d->heap_index;
  if (i == SIZE_MAX) return;
  d->heap_index = SIZE_MAX;
  struct kdeadline* last = heap[--heap_len];
  if (i == heap_len) return;
  place(i, last);
  sift_up(i);
  sift_down(last->heap_index);
}

bool kdeadline_arm(struct kdeadline* d, int64_t when) {
  kdeadline_cancel(d);
  if (heap_len == heap_cap) {
    size_t cap = heap_cap ? heap_cap * 2 : 64;
    struct kdeadline** n = realloc(heap, cap * sizeof(*n));
    if (!n) return false;
    heap = n;
    heap_cap = cap;
  }
  d->when = when;
  place(heap_len++, d);
  sift_up(d->heap_index);
  return true;
}

int64_t kdeadline_next(void) { return heap_len ? heap[0]->when : INT64_MAX; }

void kdeadline_run(int64_t now) {
  while (heap_len && heap[0]->when <= now) {
    struct kdeadline* d = heap[0];
    kdeadline_cancel(d);
    d->fire(d);
  }
}

size_t kdeadline_count(void) { return heap_len; }
