# Owned by the channel work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
