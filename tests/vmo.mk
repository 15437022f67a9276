# Owned by the vmo work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
