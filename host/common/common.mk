# Small pieces both sides use: finding zum's own files (host/common/paths.c), linked by the
# supervisor (launcher/launcher.mk) and by libzum (host/guest/guest.mk). Included from
# Makefile.am before both.
zum_paths_sources = host/common/paths.c host/common/paths.h
