/* zx_cache_flush, vDSO-local as in Zircon (vdso/zx_cache_flush.cc). The options are checked as
 * Zircon checks them on every architecture; on x86 the caches are coherent with instruction
 * fetch and DMA-free here, so whatever the options the work is Zircon's x86 loop: clflush of
 * each data cache line of the range, then mfence. */
#include "vdso-private.h"

zx_status_t _zx_cache_flush(const void* addr, size_t size, uint32_t options) {
  switch (options) {
    case ZX_CACHE_FLUSH_INSN:
    case ZX_CACHE_FLUSH_DATA:
    case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN:
    case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE:
    case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN:
      break;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  uintptr_t line = zum_page()->dcache_line_size;
  if (line == 0 || (line & (line - 1))) line = 64;
  uintptr_t p = (uintptr_t)addr & ~(line - 1), end = (uintptr_t)addr + size;
  for (; p < end; p += line) __asm__ volatile("clflush %0" ::"m"(*(const volatile char*)p));
  __asm__ volatile("mfence" ::: "memory");
  return ZX_OK;
}
ZUM_VDSO_ALIAS(_zx_cache_flush, zx_cache_flush);
