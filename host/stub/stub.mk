# The pure-process stub (owned by the stub work). Included from Makefile.am.
