/* `zum run --trace`: one line per Zircon call, decoded from the syscall table. */
#ifndef ZUM_LAUNCHER_TRACE_H_
#define ZUM_LAUNCHER_TRACE_H_

#include <stdint.h>
#include <stdio.h>

#include "kobj/kcall.h"

/* A call finished: prints koids, name, decoded arguments, status and duration. */
void trace_call(FILE* out, const struct kcall* c, int64_t end_ns);
/* A call blocked (its line comes when it finishes). */
void trace_parked(FILE* out, const struct kcall* c);
/* A call that does not return (process_exit). */
void trace_noreturn(FILE* out, const struct kcall* c);

/* Decoders, also used by tests. Each writes into buf (NUL-terminated, truncated to len). */
void trace_signals(char* buf, size_t len, uint32_t signals);
void trace_rights(char* buf, size_t len, uint32_t rights);
const char* trace_status_name(int64_t status);
const char* trace_topic_name(uint32_t topic);
const char* trace_property_name(uint32_t prop);

#endif
