#!/usr/bin/env python3
"""Generate everything that depends on the list of Zircon calls from abi/syscalls.txt.

Usage: gen_syscalls.py TABLE OUTDIR

Writes, under OUTDIR:
  zircon/syscalls/zx-cdecls.h   public prototypes (_zx_<name> and zx_<name>), installed
  zum/sysno.h                   zum's syscall numbers, ZUM_SYS_COUNT
  zum/private-cdecls.h          prototypes of the zum-private calls (_zum_<name>)
  vdso-stubs.c                  trapping stubs and weak zx_ aliases for the vDSO
  sys-decls.h                   prototypes of the supervisor's sys_<name> handlers
  kcall-table.c                 the supervisor's dispatch table and trace decoder data
  zum/fuzz-table.h              every trapped call with its vDSO entry and argument kinds, for
                                zum's syscall fuzzer (tests/fuzz)
"""
import os
import re
import sys

# Far from Linux's numbers (a few hundred) and below the x32 bit (0x40000000).
SYSCALL_BASE = 0x1F000000


# Argument types of 32 bits: two of them fit in one register.
NARROW_TYPES = ("zx_handle_t", "uint32_t", "zx_vm_option_t", "zx_rights_t", "zx_signals_t")


class Arg:
    def __init__(self, decl, call):
        self.call = call
        decl = decl.strip()
        m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)$", decl)
        if not m:
            raise SystemExit("bad argument declaration: %r" % decl)
        self.ctype = m.group(1).strip()
        self.name = m.group(2)
        self.is_ptr = self.ctype.endswith("*")

    def kind(self):
        t, n = self.ctype, self.name
        if self.is_ptr:
            if t.replace("const", "").strip() in ("zx_handle_t*",):
                return "ZUM_ARG_PTR"
            return "ZUM_ARG_PTR"
        if t == "zx_handle_t":
            return "ZUM_ARG_HANDLE"
        if t == "zx_signals_t":
            return "ZUM_ARG_SIGNALS"
        if t == "zx_rights_t":
            return "ZUM_ARG_RIGHTS"
        if t in ("zx_instant_mono_t", "zx_instant_boot_t", "zx_time_t"):
            return "ZUM_ARG_TIME"
        if t in ("zx_duration_mono_t", "zx_duration_t"):
            return "ZUM_ARG_DURATION"
        if n == "topic" and self.call == "object_get_info":
            return "ZUM_ARG_TOPIC"
        if n == "property":
            return "ZUM_ARG_PROPERTY"
        if n == "options" or n.endswith("_mask") or n.endswith("_base") or n.endswith("addr"):
            return "ZUM_ARG_HEX"
        if n == "koid":
            return "ZUM_ARG_KOID"
        if t in ("int64_t", "int32_t", "zx_futex_t"):
            return "ZUM_ARG_SIGNED"
        return "ZUM_ARG_UNSIGNED"

    def sys_type(self):
        # zx_futex_t is an atomic_int in C: the supervisor takes the value as a plain int32_t.
        if self.ctype == "zx_futex_t":
            return "int32_t"
        return "zum_uaddr_t" if self.is_ptr else self.ctype


class Call:
    def __init__(self, flags, ret, name, args, lineno):
        self.flags = flags
        self.ret = ret
        self.name = name
        self.args = args
        self.lineno = lineno
        self.trapped = "K" in flags
        self.local = "V" in flags
        self.blocking = "B" in flags
        self.noreturn = "N" in flags
        self.private = "P" in flags
        self.work = "W" in flags
        self.hosted_only = "H" in flags
        self.pure_only = "S" in flags
        # Calls for one kind of process only are reached with zum_trap by zum's own runtime
        # (libzum or the stub), never through the vDSO, so no guest finds them among its symbols.
        self.in_vdso = not (self.hosted_only or self.pure_only)
        if self.trapped == self.local:
            raise SystemExit("line %d: %s must be exactly one of K or V" % (lineno, name))
        if len(args) > 8:
            raise SystemExit("line %d: %s has more than 8 arguments" % (lineno, name))
        if self.private and self.local:
            raise SystemExit("line %d: private calls must be trapped" % lineno)
        if (self.hosted_only or self.pure_only) and not self.private:
            raise SystemExit("line %d: H and S apply to private calls only" % lineno)
        if self.hosted_only and self.pure_only:
            raise SystemExit("line %d: %s cannot be both H and S" % (lineno, name))
        if self.work and (self.local or self.blocking or self.noreturn):
            raise SystemExit("line %d: W calls must be trapped, non-blocking, returning" % lineno)
        if len(args) + (1 if self.work else 0) > 8:
            raise SystemExit("line %d: %s has too many arguments with its work block" % (lineno, name))

    def packs_first_two(self):
        """Six values whose first two are 32 bits wide travel as five registers (the first two
        in one) plus the tag, so the tag needs no block and the supervisor no guest read."""
        return (len(self.trap_values()) == 6 and len(self.args) >= 2 and
                all(not a.is_ptr and a.ctype in NARROW_TYPES for a in self.args[:2]))

    def trap_values(self):
        """The values the stub passes, in order: the arguments, then the hidden work block."""
        vals = ["zum_arg(%s)" % a.name for a in self.args]
        if self.work:
            vals.append("(uint64_t)(uintptr_t)&work")
        return vals

    def prefix(self):
        return "_zum_" if self.private else "_zx_"

    def proto_args(self):
        if not self.args:
            return "void"
        return ", ".join("%s %s" % (a.ctype, a.name) for a in self.args)


def parse(path):
    calls = []
    seen = set()
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.match(r"^([A-Z]+)\s+(.+?)\s+([a-z_0-9]+)\((.*)\)$", line)
            if not m:
                raise SystemExit("%s:%d: cannot parse %r" % (path, lineno, line))
            flags, ret, name, argtext = m.groups()
            if name in seen:
                raise SystemExit("%s:%d: %s listed twice" % (path, lineno, name))
            seen.add(name)
            args = [] if argtext.strip() in ("", "void") else [Arg(a, name) for a in argtext.split(",")]
            calls.append(Call(flags, ret, name, args, lineno))
    return calls


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    # Keep timestamps stable when nothing changed, so make does not rebuild everything.
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                os.unlink(tmp)
                return
    os.replace(tmp, path)


HEADER = "/* Generated by abi/gen_syscalls.py from abi/syscalls.txt. Do not edit. */\n"


def gen_public(calls):
    out = [HEADER, "#ifndef ZIRCON_SYSCALLS_ZX_CDECLS_H_", "#define ZIRCON_SYSCALLS_ZX_CDECLS_H_", ""]
    for c in calls:
        if c.private:
            continue
        attr = "__attribute__((noreturn)) " if c.noreturn else ""
        out.append("%s%s _zx_%s(%s);" % (attr, c.ret, c.name, c.proto_args()))
        out.append("%s%s zx_%s(%s);" % (attr, c.ret, c.name, c.proto_args()))
    out += ["", "#endif", ""]
    return "\n".join(out)


def gen_sysno(calls):
    out = [HEADER, "#ifndef ZUM_SYSNO_H_", "#define ZUM_SYSNO_H_", "",
           "#define ZUM_SYSCALL_BASE 0x%08x" % SYSCALL_BASE]
    n = 0
    for c in calls:
        if c.trapped:
            out.append("#define ZUM_SYS_%s (ZUM_SYSCALL_BASE + %d)" % (c.name, n))
            n += 1
    out += ["#define ZUM_SYS_COUNT %d" % n, "", "#endif", ""]
    return "\n".join(out)


def gen_private(calls):
    out = [HEADER, "#ifndef ZUM_PRIVATE_CDECLS_H_", "#define ZUM_PRIVATE_CDECLS_H_", "",
           "#include <zircon/syscalls.h>", "#include <zum/abi-private.h>", ""]
    for c in calls:
        if c.private and c.in_vdso:
            out.append("%s _zum_%s(%s);" % (c.ret, c.name, c.proto_args()))
    out += ["", "#endif", ""]
    return "\n".join(out)


def gen_vdso(calls):
    out = [HEADER, '#include "vdso-private.h"', ""]
    for c in calls:
        full = c.prefix() + c.name
        if c.trapped and c.in_vdso:
            vals = c.trap_values()
            body = []
            if c.work:
                body.append("    zum_work_t work;")
                body.append("    work.num_ops = 0;")
            # Every call carries a fresh tag (<zum/trap.h>): the sixth register when the values
            # leave it free; otherwise values 6-8 and the tag travel in a block on the stack
            # whose address is the sixth (only six registers reach the supervisor).
            trap = ["        const uint64_t tag = zum_trap_tag();"]
            if c.packs_first_two():
                regs = ["((uint64_t)(uint32_t)%s | (uint64_t)(uint32_t)%s << 32)" % (
                    c.args[0].name, c.args[1].name)] + vals[2:] + ["tag"]
            elif len(vals) > 5:
                trap.append("        const uint64_t extra[%d] = {%s};" % (
                    len(vals) - 4, ", ".join(vals[5:] + ["tag"])))
                regs = vals[:5] + ["(uint64_t)(uintptr_t)extra"]
            else:
                regs = list(vals)
                while len(regs) < 5:
                    regs.append("0")
                regs.append("tag")
            call = "zum_call(ZUM_SYS_%s, %s)" % (c.name, ", ".join(regs))
            attr = "__attribute__((noreturn)) " if c.noreturn else ""
            out.append("%s%s %s(%s) {" % (attr, c.ret, full, c.proto_args()))
            out += body
            if c.noreturn:
                out.append("    {")
                out += trap
                out.append("        %s;" % call)
                out.append("    }")
                out.append("    zum_vdso_fatal();")
            else:
                out.append("    int64_t r;")
                # A blocking call answered ZX_ERR_INTERNAL_INTR_RETRY runs again as a new call.
                out.append("    do {")
                out += trap
                out.append("        r = %s;" % call)
                out.append("        zum_check_supervisor(r);")
                out.append("        r = zum_trap_status(r);")
                if c.blocking:
                    out.append("    } while (r == ZX_ERR_INTERNAL_INTR_RETRY);")
                else:
                    out.append("    } while (0);")
                if c.work:
                    out.append("    r = zum_run_work(&work, r);")
                if c.ret != "void":
                    out.append("    return (%s)r;" % c.ret)
                else:
                    out.append("    (void)r;")
            out.append("}")
        # vDSO-local calls are written in abi/vdso/*.c, each next to its own weak alias (an
        # alias must sit in the translation unit that defines its target).
        if c.trapped and not c.private:
            out.append("ZUM_VDSO_ALIAS(_zx_%s, zx_%s);" % (c.name, c.name))
        if c.trapped and c.in_vdso:
            out.append("")
    return "\n".join(out)


def gen_sys_decls(calls):
    out = [HEADER, "#ifndef ZUM_SYS_DECLS_H_", "#define ZUM_SYS_DECLS_H_", "",
           '#include "kobj/kcall.h"', ""]
    for c in calls:
        if not c.trapped:
            continue
        params = ["struct kcall* c"] + ["%s %s" % (a.sys_type(), a.name) for a in c.args]
        out.append("int64_t sys_%s(%s);" % (c.name, ", ".join(params)))
    out += ["", "#endif", ""]
    return "\n".join(out)


def gen_table(calls):
    out = [HEADER, '#include "kobj/kcall_table.h"', '#include "sys-decls.h"', ""]
    trapped = [c for c in calls if c.trapped]
    for c in trapped:
        out.append("static int64_t d_%s(struct kcall* c) {" % c.name)
        casts = ["(%s)c->args[%d]" % (a.sys_type(), i) for i, a in enumerate(c.args)]
        out.append("    return sys_%s(%s);" % (c.name, ", ".join(["c"] + casts)))
        out.append("}")
    out.append("")
    out.append("const struct kcall_desc kcall_table[ZUM_SYS_COUNT] = {")
    for c in trapped:
        args = ", ".join('{"%s", %s}' % (a.name, a.kind()) for a in c.args)
        flags = []
        if c.blocking:
            flags.append("KCALL_BLOCKING")
        if c.noreturn:
            flags.append("KCALL_NORETURN")
        if c.private:
            flags.append("KCALL_PRIVATE")
        if c.work:
            flags.append("KCALL_WORK")
        if c.hosted_only:
            flags.append("KCALL_HOSTED_ONLY")
        if c.pure_only:
            flags.append("KCALL_PURE_ONLY")
        if c.packs_first_two():
            flags.append("KCALL_PACKED")
        out.append('    [ZUM_SYS_%s - ZUM_SYSCALL_BASE] = {"%s", %d, %s, %s, {%s}},' % (
            c.name, c.name, len(c.args), " | ".join(flags) or "0",
            "1" if c.ret == "zx_status_t" else "0", args))
    out.append("};")
    out.append("")
    out.append("const kcall_handler_fn kcall_handlers[ZUM_SYS_COUNT] = {")
    for c in trapped:
        out.append("    [ZUM_SYS_%s - ZUM_SYSCALL_BASE] = d_%s," % (c.name, c.name))
    out.append("};")
    out.append("")
    return "\n".join(out)


def fuzz_kind(a):
    """What values suit an argument, for the fuzzer: a little finer than the trace kinds."""
    t, n = a.ctype, a.name
    if a.is_ptr:
        return "ZUM_FZ_HANDLE_OUT" if t == "zx_handle_t*" else "ZUM_FZ_PTR"
    k = a.kind()
    if k == "ZUM_ARG_HANDLE":
        return "ZUM_FZ_HANDLE"
    if n == "deadline":
        return "ZUM_FZ_DEADLINE"
    simple = {"ZUM_ARG_SIGNALS": "ZUM_FZ_SIGNALS", "ZUM_ARG_RIGHTS": "ZUM_FZ_RIGHTS",
              "ZUM_ARG_TIME": "ZUM_FZ_DEADLINE", "ZUM_ARG_DURATION": "ZUM_FZ_DURATION",
              "ZUM_ARG_TOPIC": "ZUM_FZ_TOPIC", "ZUM_ARG_PROPERTY": "ZUM_FZ_PROPERTY",
              "ZUM_ARG_KOID": "ZUM_FZ_KOID"}
    if k in simple:
        return simple[k]
    if t in ("zx_vaddr_t", "uintptr_t") or n.endswith("addr") or n in ("address", "entry", "stack"):
        return "ZUM_FZ_ADDR"
    if "size" in n or n.startswith("num_") or n in ("len", "offset") or n.endswith("_offset"):
        return "ZUM_FZ_SIZE"
    if n == "options" or n == "op" or n.endswith("_mask") or n.endswith("_policy"):
        return "ZUM_FZ_FLAGS"
    return "ZUM_FZ_INT"


def gen_fuzz(calls):
    out = [HEADER, "#ifndef ZUM_FUZZ_TABLE_H_", "#define ZUM_FUZZ_TABLE_H_", "",
           "#include <stdint.h>", "#include <zircon/syscalls.h>", "#include <zum/abi-private.h>",
           "#include <zum/sysno.h>", "",
           "enum zum_fuzz_kind {",
           "  ZUM_FZ_INT, ZUM_FZ_HANDLE, ZUM_FZ_PTR, ZUM_FZ_SIZE, ZUM_FZ_ADDR, ZUM_FZ_FLAGS,",
           "  ZUM_FZ_SIGNALS, ZUM_FZ_RIGHTS, ZUM_FZ_DEADLINE, ZUM_FZ_DURATION, ZUM_FZ_TOPIC,",
           "  ZUM_FZ_PROPERTY, ZUM_FZ_KOID,",
           "  ZUM_FZ_HANDLE_OUT, /* a non-const zx_handle_t*: where new handles are written */",
           "};", "",
           "#define ZUM_FZ_BLOCKING 1u", "#define ZUM_FZ_NORETURN 2u", "#define ZUM_FZ_PRIVATE 4u",
           "#define ZUM_FZ_WORK 8u", "",
           "struct zum_fuzz_call {",
           "  const char* name;",
           "  uint32_t nr;",
           "  void (*fn)(void); /* the vDSO entry (NULL: not in the vDSO); call it as zum_fuzz_fn */",
           "  uint8_t nargs, flags;",
           "  uint8_t kind[8];",
           "};",
           "typedef uint64_t (*zum_fuzz_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,",
           "                                uint64_t, uint64_t);", ""]
    for c in calls:
        if c.trapped and c.in_vdso:
            out.append("%s %s%s(%s);" % (c.ret, c.prefix(), c.name, c.proto_args()))
    out += ["", "static const struct zum_fuzz_call zum_fuzz_calls[] = {"]
    for c in calls:
        if not c.trapped:
            continue
        flags = [f for f, on in (("ZUM_FZ_BLOCKING", c.blocking), ("ZUM_FZ_NORETURN", c.noreturn),
                                 ("ZUM_FZ_PRIVATE", c.private), ("ZUM_FZ_WORK", c.work)) if on]
        # Calls only one kind of process may make are not in the vDSO: no entry.
        fn = "(void (*)(void))%s%s" % (c.prefix(), c.name) if c.in_vdso else "0"
        out.append('    {"%s", ZUM_SYS_%s, %s, %d, %s, {%s}},' % (
            c.name, c.name, fn, len(c.args), " | ".join(flags) or "0",
            ", ".join(fuzz_kind(a) for a in c.args)))
    out += ["};", "#define ZUM_FUZZ_NUM_CALLS (sizeof(zum_fuzz_calls) / sizeof(zum_fuzz_calls[0]))",
            "", "#endif", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    calls = parse(sys.argv[1])
    od = sys.argv[2]
    write(os.path.join(od, "zircon/syscalls/zx-cdecls.h"), gen_public(calls))
    write(os.path.join(od, "zum/sysno.h"), gen_sysno(calls))
    write(os.path.join(od, "zum/private-cdecls.h"), gen_private(calls))
    write(os.path.join(od, "vdso-stubs.c"), gen_vdso(calls))
    write(os.path.join(od, "sys-decls.h"), gen_sys_decls(calls))
    write(os.path.join(od, "kcall-table.c"), gen_table(calls))
    write(os.path.join(od, "zum/fuzz-table.h"), gen_fuzz(calls))


if __name__ == "__main__":
    main()
