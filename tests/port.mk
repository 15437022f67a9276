# Owned by the port work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
