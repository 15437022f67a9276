/* The hosted client library's start-up state (libzum). */
#ifndef ZUM_HOSTED_RUNTIME_H_
#define ZUM_HOSTED_RUNTIME_H_

#include <zum/abi-private.h>

extern zum_hosted_info_t zum_hosted_info;

#endif
