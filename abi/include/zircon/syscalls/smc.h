/* Secure monitor calls (Zircon's zircon/syscalls/smc.h): ARM's SMC calling convention. */
#ifndef ZIRCON_SYSCALLS_SMC_H_
#define ZIRCON_SYSCALLS_SMC_H_

#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

typedef struct zx_smc_parameters {
  uint32_t func_id;
  uint8_t padding1[4];
  uint64_t arg1;
  uint64_t arg2;
  uint64_t arg3;
  uint64_t arg4;
  uint64_t arg5;
  uint64_t arg6;
  uint16_t client_id;
  uint16_t secure_os_id;
  uint8_t padding2[4];
} zx_smc_parameters_t;

typedef struct zx_smc_result {
  uint64_t arg0;
  uint64_t arg1;
  uint64_t arg2;
  uint64_t arg3;
  uint64_t arg6;
} zx_smc_result_t;

__END_CDECLS

#endif
