/* The Zircon system calls, as exported by the vDSO (libzircon.so). */
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/compiler.h>
#include <zircon/string_view.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/profile.h>
#include <zircon/syscalls/smc.h>
#include <zircon/syscalls/system.h>
#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

#include <zircon/syscalls/zx-cdecls.h>

/* vDSO exports that are not system calls. */
const char* _zx_status_get_string(zx_status_t status);
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif
