# The kernel, part 1: kernel objects and the syscall layer. Pure logic, built into
# libzumkernel.la with mm/ (mm/mm.mk). Included from Makefile.am.
noinst_LTLIBRARIES += libzumkernel.la
libzumkernel_la_SOURCES = \
	kobj/channel.c \
	kobj/channel.h \
	kobj/cow.c \
	kobj/cow.h \
	kobj/deadline.c \
	kobj/deadline.h \
	kobj/event.c \
	kobj/event.h \
	kobj/handle.c \
	kobj/handle.h \
	kobj/kcall.c \
	kobj/kcall.h \
	kobj/kcall_table.h \
	kobj/kmm.h \
	kobj/list.h \
	kobj/object.c \
	kobj/object.h \
	kobj/policy.c \
	kobj/policy.h \
	kobj/port.c \
	kobj/port.h \
	kobj/quota.c \
	kobj/quota.h \
	kobj/share.c \
	kobj/share.h \
	kobj/sys_channel.c \
	kobj/sys_child.c \
	kobj/sys_handle.c \
	kobj/sys_hosted.c \
	kobj/sys_info.c \
	kobj/sys_misc.c \
	kobj/sys_policy.c \
	kobj/sys_port.c \
	kobj/sys_process.c \
	kobj/sys_property.c \
	kobj/sys_shared.c \
	kobj/sys_signal.c \
	kobj/sys_sleep.c \
	kobj/sys_task.c \
	kobj/sys_timer.c \
	kobj/sys_vmar.c \
	kobj/sys_vmo.c \
	kobj/sys_wait.c \
	kobj/sys_work.c \
	kobj/sysutil.c \
	kobj/sysutil.h \
	kobj/task.c \
	kobj/task.h \
	kobj/timer.c \
	kobj/timer.h \
	kobj/vdso.c \
	kobj/vdso.h \
	kobj/vmar.c \
	kobj/vmar.h \
	kobj/vmar_info.c \
	kobj/vmo.c \
	kobj/vmo.h \
	kobj/workq.c \
	kobj/workq.h \
	$(empty)
nodist_libzumkernel_la_SOURCES = gen/kcall-table.c gen/sys-decls.h gen/zum/sysno.h
libzumkernel_la_CFLAGS = $(AM_CFLAGS) -fPIC
