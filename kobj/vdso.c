#include "kobj/vdso.h"

#include "kobj/vmo.h"

static struct kvmo* vdso;
static uint64_t code_off, code_len;

void kvdso_set(struct kvmo* vmo, uint64_t code_offset, uint64_t code_size) {
  if (vdso) kobj_unref((struct kobj*)vdso);
  vdso = vmo;
  if (vmo) kobj_ref((struct kobj*)vmo);
  code_off = code_offset;
  code_len = code_size;
}

struct kvmo* kvdso_vmo(void) { return vdso; }
bool kvdso_is(const struct kobj* o) { return vdso && o == (const struct kobj*)vdso; }
uint64_t kvdso_code_offset(void) { return code_off; }
uint64_t kvdso_code_size(void) { return code_len; }
