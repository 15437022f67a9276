#include "launcher/sv_work.h"

#include <zircon/types.h>

int64_t sv_work_done(struct kcall* c, uint64_t work_addr) { return ZX_ERR_BAD_STATE; }
