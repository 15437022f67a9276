#include "kobj/vmo_io.h"

#include "mm/vmo.h"

/* One bounce buffer: the supervisor is single-threaded. Its size bounds the supervisor's
 * memory, not the work: a transfer moves as many chunks as the guest really has bytes for. */
#define VMO_CHUNK ((size_t)64 * 1024)
static uint8_t bounce[VMO_CHUNK];

/* Copies one chunk between the bounce buffer and the guest, and when the guest buffer faults,
 * again piece by piece (one VMO page at a time) so that what precedes the fault is moved.
 * Returns the bytes moved; *faulted tells whether the chunk stopped early. */
static size_t copy_chunk(struct kcall* c, bool to_guest, zum_uaddr_t guest, uint64_t vmo_off,
                         size_t n, bool* faulted) {
  *faulted = false;
  zx_status_t s =
      to_guest ? kcall_copy_out(c, guest, bounce, n) : kcall_copy_in(c, bounce, guest, n);
  if (s == ZX_OK) return n;
  size_t done = 0;
  while (done < n) {
    size_t piece = MM_PAGE_SIZE - (size_t)((vmo_off + done) % MM_PAGE_SIZE);
    if (piece > n - done) piece = n - done;
    s = to_guest ? kcall_copy_out(c, guest + done, bounce + done, piece)
                 : kcall_copy_in(c, bounce + done, guest + done, piece);
    if (s != ZX_OK) break;
    done += piece;
  }
  *faulted = true;
  return done;
}

zx_status_t kvmo_io(struct kcall* c, struct mm_vmo* m, bool to_guest, uint64_t off,
                    zum_uaddr_t guest, size_t len, size_t* done) {
  *done = 0;
  while (*done < len) {
    size_t n = len - *done < VMO_CHUNK ? len - *done : VMO_CHUNK;
    bool faulted;
    size_t got;
    if (to_guest) {
      zx_status_t s = mm_vmo_read(m, off + *done, bounce, n);
      if (s != ZX_OK) return s;
      got = copy_chunk(c, true, guest + *done, off + *done, n, &faulted);
    } else {
      got = copy_chunk(c, false, guest + *done, off + *done, n, &faulted);
      if (got > 0) {
        zx_status_t s = mm_vmo_write(m, off + *done, bounce, got);
        if (s != ZX_OK) return s;
      }
    }
    *done += got;
    if (faulted) return ZX_ERR_NOT_FOUND;
  }
  return ZX_OK;
}
