# stdio and the UTC clock of programs zum-launch starts (host/guest/launch/stdio_bridge.c,
# utc_clock.c): tests/fuchsia/stdio.c, run by tests/fuchsia-stdio.sh.
tests/fuchsia/stdio.elf: $(srcdir)/tests/fuchsia/stdio.c $(fuchsia_deps)
	$(AM_V_GEN)src=stdio ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
check_DATA += tests/fuchsia/stdio.elf
CLEANFILES += tests/fuchsia/stdio.elf
EXTRA_DIST += tests/fuchsia/stdio.c tests/fuchsia-stdio.sh
TESTS += tests/fuchsia-stdio.sh
