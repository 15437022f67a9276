# Owned by the bench work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
