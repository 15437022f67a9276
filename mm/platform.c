/* The kernel's one door to Linux (host/platform.h). It lives at the bottom of the kernel, with
 * mm/, because every layer of the kernel goes through it and none above may be linked below. */
#include "host/platform.h"

const struct platform_ops* platform;
