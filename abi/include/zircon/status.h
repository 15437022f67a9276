#ifndef ZIRCON_STATUS_H_
#define ZIRCON_STATUS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* Returns the name of a status code ("ZX_ERR_BAD_HANDLE"), or "(UNKNOWN)". Runs in the vDSO. */
const char* _zx_status_get_string(zx_status_t status);
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif
