#!/usr/bin/env python3
"""Lockstep comparison of the iem engine against QEMU TCG (softcpu.md 5.3).

    lockstep.py [--qemu BIN] [--iem-trace BIN] [--max N] [--strict-flags] ROM

ROM is a flat BIOS image (64 or 128 KiB; a .S file is assembled first with
as/ld, see rom.S).  QEMU runs it with "-d cpu,nochain -singlestep" (one CPU
state logged before every instruction) and isa-debug-exit on port 0xF4;
build/tools/iem-trace runs it on our engine and prints the same state.
Both runs are deterministic (interrupts stay disabled in the ROM), so the
two state sequences are compared one by one: CS, RIP, the general
registers, RFLAGS, CR0 and the SS/DS/ES selectors.  QEMU logs every
iteration of a REP string instruction; consecutive states at the same
CS:RIP are folded into the first on both sides.

Flags: bits the architecture leaves undefined after some instructions
(OF SF ZF AF PF CF after IMUL, shifts, BT...) may differ between two
correct CPUs; by default a difference confined to those six bits is
reported as a note and the comparison goes on.  --strict-flags makes it a
divergence.  Exit status: 0 when both runs agree to the end, 1 at the
first divergence (both states and the instruction bytes are printed),
2 on usage or tool errors.
"""
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARITH = 0x8D5
NAMES32 = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp"]
NAMES64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"] + ["r%d" % k for k in range(8, 16)]


def die(msg):
    sys.stderr.write("lockstep: %s\n" % msg)
    sys.exit(2)


def build_rom(src, work):
    obj = os.path.join(work, "rom.o")
    out = os.path.join(work, "rom.bin")
    for cmd in (["as", "--32", "-o", obj, src],
                ["ld", "-m", "elf_i386", "-e", "0", "-Ttext=0", "--oformat", "binary", "-o", out, obj]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            die("%s failed:\n%s" % (cmd[0], r.stderr))
    return out


class State:
    def __init__(self, lma, cs, rip, fl, regs, cr0, ss, ds, es):
        self.lma, self.cs, self.rip, self.fl = lma, cs, rip, fl
        self.regs, self.cr0, self.ss, self.ds, self.es = regs, cr0, ss, ds, es

    def key(self):
        return (self.cs, self.rip)

    def show(self):
        names = NAMES64 if self.lma else NAMES32
        regs = " ".join("%s=%x" % (n, v) for n, v in zip(names, self.regs))
        return ("cs:rip=%04x:%x rflags=%x cr0=%x ss=%x ds=%x es=%x\n    %s"
                % (self.cs, self.rip, self.fl, self.cr0, self.ss, self.ds, self.es, regs))


FIELD = re.compile(r"([A-Z][A-Z0-9 ]*?)\s*=\s*([0-9a-fA-F]+)")


def qemu_states(path):
    """Parse QEMU's -d cpu log into State objects."""
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("RAX=") or line.startswith("EAX="):
                if cur is not None:
                    yield make_qemu(cur)
                cur = {"lma": line.startswith("RAX=")}
            if cur is None:
                continue
            if line[:3] in ("CS ", "SS ", "DS ", "ES "):
                cur[line[:2]] = int(line.split("=")[1].split()[0], 16)
                continue
            for name, val in FIELD.findall(line):
                name = name.strip()
                if name not in cur:
                    cur[name] = int(val, 16)
    if cur is not None:
        yield make_qemu(cur)


def make_qemu(d):
    if d["lma"]:
        regs = [d[n.upper()] for n in NAMES64]
        rip, fl = d["RIP"], d["RFL"]
    else:
        regs = [d[n.upper()] for n in NAMES32]
        rip, fl = d["EIP"], d["EFL"]
    return State(d["lma"], d["CS"], rip, fl, regs, d["CR0"] & 0xFFFFFFFF, d["SS"], d["DS"], d["ES"])


def iem_states(lines):
    for line in lines:
        p = line.split()
        if not p or p[0] != "S":
            continue
        v = [int(x, 16) for x in p[1:]]
        lma = v[0] == 1
        n = 16 if lma else 8
        regs = v[4:4 + n]
        cr0, ss, ds, es = v[4 + n:8 + n]
        yield State(lma, v[1], v[2], v[3], regs, cr0, ss, ds, es)


def fold(states):
    """Drop states at the CS:RIP of the one before (REP iterations)."""
    last = None
    for s in states:
        if last is not None and s.key() == last:
            continue
        last = s.key()
        yield s


def diff(a, b, strict):
    """'' when equal, 'flags' when only arithmetic flags differ, else a description."""
    what = []
    if a.lma != b.lma:
        what.append("mode")
    if a.key() != b.key():
        what.append("cs:rip")
    if a.regs != b.regs:
        names = NAMES64 if a.lma else NAMES32
        what += [n for n, x, y in zip(names, a.regs, b.regs) if x != y]
    if (a.cr0, a.ss, a.ds, a.es) != (b.cr0, b.ss, b.ds, b.es):
        what.append("cr0/selectors")
    fl = a.fl ^ b.fl
    if fl & ~ARITH or (fl and strict):
        what.append("rflags")
    if what:
        return ", ".join(what)
    return "flags" if fl else ""


def rom_bytes(data, st):
    """Instruction bytes at CS:RIP when they are in the ROM copy at 0xF0000."""
    if st.lma or st.cr0 & 1:
        lin = st.rip            # the test ROM runs flat in protected and long mode
    else:
        lin = st.cs * 16 + st.rip
    if st.cs == 0xF000 and st.rip >= 0xFFF0:
        lin = 0xF0000 + st.rip
    if 0xF0000 <= lin < 0x100000:
        off = len(data) - 0x10000 + (lin - 0xF0000)
        return " ".join("%02x" % x for x in data[off:off + 15])
    return "(not in the ROM)"


def main(argv):
    qemu = "qemu-system-x86_64"
    tool = os.path.join(TOP, "build", "tools", "iem-trace")
    max_n = 5000000
    strict = False
    rom = None
    a = 0
    while a < len(argv):
        if argv[a] == "--qemu" and a + 1 < len(argv):
            qemu = argv[a + 1]
            a += 1
        elif argv[a] == "--iem-trace" and a + 1 < len(argv):
            tool = argv[a + 1]
            a += 1
        elif argv[a] == "--max" and a + 1 < len(argv):
            max_n = int(argv[a + 1], 0)
            a += 1
        elif argv[a] == "--strict-flags":
            strict = True
        elif not argv[a].startswith("-") and rom is None:
            rom = argv[a]
        else:
            die("usage: lockstep.py [--qemu BIN] [--iem-trace BIN] [--max N] [--strict-flags] ROM")
        a += 1
    if rom is None:
        die("usage: lockstep.py [--qemu BIN] [--iem-trace BIN] [--max N] [--strict-flags] ROM")
    with tempfile.TemporaryDirectory(prefix="lockstep.") as work:
        if rom.endswith(".S"):
            rom = build_rom(rom, work)
        log = os.path.join(work, "qemu.log")
        cmd = [qemu, "-accel", "tcg", "-cpu", "qemu64", "-m", "32", "-bios", rom,
               "-display", "none", "-serial", "none", "-monitor", "none", "-nodefaults",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
               "-d", "cpu,nochain", "-singlestep", "-D", log]
        try:
            q = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            die("%s not found" % qemu)
        except subprocess.TimeoutExpired:
            die("QEMU did not reach the port 0xF4 exit within 120 s")
        if not os.path.exists(log):
            die("QEMU wrote no trace: %s" % q.stderr.strip())
        r = subprocess.run([tool, rom, "--max", str(max_n)], capture_output=True, text=True)
        if r.returncode not in (0, 4):
            die("iem-trace failed (%d): %s" % (r.returncode, r.stderr.strip()))
        with open(rom, "rb") as f:
            data = f.read()
        ours = list(fold(iem_states(r.stdout.splitlines())))
        theirs = list(fold(qemu_states(log)))
    notes = 0
    n = min(len(ours), len(theirs))
    for k in range(n):
        d = diff(theirs[k], ours[k], strict)
        if d == "flags":
            notes += 1
            continue
        if d:
            print("lockstep: divergence at instruction %d (%s)" % (k, d))
            if k:
                print("  both before: %s" % theirs[k - 1].show())
                print("  instruction: %s" % rom_bytes(data, theirs[k - 1]))
            print("  QEMU: %s" % theirs[k].show())
            print("  iem:  %s" % ours[k].show())
            return 1
    if len(ours) != len(theirs):
        print("lockstep: QEMU ran %d instructions, iem %d" % (len(theirs), len(ours)))
        return 1
    print("lockstep: %d instructions agree (%d with differing undefined flags only)" % (n, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
