# Owned by the task work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
libzumcore_la_SOURCES += kobj/sys_property.c kobj/sys_child.c
