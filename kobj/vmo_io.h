/* Moving bytes between a VMO and guest memory, for every call that does (zx_vmo_read/write,
 * the zx_stream_* calls): bounded chunks through the supervisor's one bounce buffer, over the
 * same mm/ paths (mm_vmo_read/mm_vmo_write, so copy-on-write children and mappings all see one
 * set of bytes) and the same user copies (kcall_copy_in/out, which fault guest pages in as
 * Zircon's user copies do). */
#ifndef ZUM_KOBJ_VMO_IO_H_
#define ZUM_KOBJ_VMO_IO_H_

#include <stddef.h>
#include <stdint.h>

#include "kobj/kcall.h"

struct mm_vmo;

/* Copies [off, off+len) of m (a range that passed mm_vmo_check_rw) to guest memory at `guest`
 * (to_guest), or guest memory into it. *done counts the bytes moved. A guest buffer that
 * faults ends the copy with ZX_ERR_NOT_FOUND, the status Zircon's fault resolution gives for
 * user memory it cannot fault in, with the bytes before the faulting page moved; an mm/ error
 * ends it with that error. */
zx_status_t kvmo_io(struct kcall* c, struct mm_vmo* m, bool to_guest, uint64_t off,
                    zum_uaddr_t guest, size_t len, size_t* done);

#endif
