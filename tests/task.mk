# Owned by the task work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
