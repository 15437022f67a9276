# Owned by the vmar work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
