/* zum's vDSO as a kernel object: one read-only VMO holding libzircon.so's image, handed to every
 * process as PA_HND(PA_VMO_VDSO, 0), and the facts the VMAR code needs for Zircon's mapping rule
 * (an executable mapping of it must cover exactly its code segment, once per address space, and
 * can never be removed). */
#ifndef ZUM_KOBJ_VDSO_H_
#define ZUM_KOBJ_VDSO_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/types.h>

#include "kobj/object.h"

/* The vDSO VMO handle's rights: VMO defaults without WRITE, with EXECUTE (Zircon's rodso.cc). */
#define KVDSO_RIGHTS ((ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE) | ZX_RIGHT_EXECUTE)

struct kvmo;

/* Installs the vDSO (the supervisor does it at start-up); takes a reference on vmo. */
void kvdso_set(struct kvmo* vmo, uint64_t code_offset, uint64_t code_size);
/* The vDSO VMO, or NULL when zum runs without one. */
struct kvmo* kvdso_vmo(void);
bool kvdso_is(const struct kobj* o);
uint64_t kvdso_code_offset(void);
uint64_t kvdso_code_size(void);

#endif
