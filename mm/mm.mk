# The kernel, part 2: VMOs and VMAR trees (below kobj/, as Zircon's vm/ sits below its objects),
# and the kernel's pointer to the platform it runs on (host/platform.h). Included from
# Makefile.am.
libzumkernel_la_SOURCES += mm/platform.c mm/vmar.c mm/vmar.h mm/vmo.c mm/vmo.h host/platform.h
