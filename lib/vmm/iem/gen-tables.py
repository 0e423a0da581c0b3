#!/usr/bin/env python3
"""Generate the iem decoder tables from opcodes.tab.

Usage: gen-tables.py opcodes.tab OUTDIR

Writes OUTDIR/iem-gen.h (operation enumeration, X-macro lists of inlined
labels and out-of-line functions, prototypes) and OUTDIR/iem-gen.c (the form
table, the per-opcode index, the function table and operation names).
The table format is described at the top of opcodes.tab.
"""
import os
import sys

CONDS = ["o", "no", "b", "nb", "z", "nz", "be", "nbe",
         "s", "ns", "p", "np", "l", "nl", "le", "nle"]
SIZES = [8, 16, 32, 64]
SIZE_SETS = {"b": [8], "w": [16], "d": [32], "q": [64],
             "v": [16, 32, 64], "y": [32, 64], "z": [16, 32]}
IMM_KINDS = {"Ib": "IB", "Ibs": "IBS", "Iw": "IW", "Iz": "IZ", "Iv": "IV",
             "Jb": "JB", "Jz": "JZ", "Ap": "AP", "Ob": "OV", "Ov": "OV"}
PFX = {"np": 1, "66": 2, "F3": 3, "F2": 4}
MODRM_LETTERS = "EGMRSCDVWUPQN"
E_ROLE = "EMRWUQN"      # operands encoded in ModRM.rm
BOTH_FORMS = "EWQ"      # register or memory
MEM_ONLY = "M"
REG_ONLY = "RUN"
IMPLICIT = {"AL": "b", "AX": "w", "eAX": "z", "rAX": "v"}


class Form:
    pass


def fail(lineno, msg):
    sys.stderr.write("opcodes.tab:%d: %s\n" % (lineno, msg))
    sys.exit(1)


def size_letter(opnd):
    """Size class of an operand like Ev, Gb, Zv, Ed, Mq (None if none)."""
    if opnd in IMPLICIT:
        return IMPLICIT[opnd]
    rest = opnd[1:]
    if rest in SIZE_SETS:
        return rest
    return None


def parse(path):
    forms = []
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split(":")]
            if len(parts) != 3:
                fail(lineno, "expected 'BYTES CONDS : OPERANDS : HANDLER KIND FLAGS'")
            head = parts[0].split()
            opnds = [] if parts[1] == "-" else parts[1].split(",")
            tail = parts[2].split()
            if len(tail) < 2 or tail[1] not in ("x", "f"):
                fail(lineno, "handler and kind (x|f) required")
            # opcode bytes
            nbytes = []
            conds = []
            for tok in head:
                if tok.startswith("/") or "=" in tok or tok in ("m64", "n64", "norexb"):
                    conds.append(tok)
                else:
                    if conds:
                        fail(lineno, "opcode bytes must come first")
                    nbytes.append(tok)
            expand = None
            last = nbytes[-1]
            if last.endswith("+r"):
                expand = "r"
                last = last[:-2]
            elif last.endswith("+cc"):
                expand = "cc"
                last = last[:-3]
            nbytes[-1] = last
            vals = [int(b, 16) for b in nbytes]
            if len(vals) == 1:
                opmap, opc = 0, vals[0]
            elif len(vals) == 2 and vals[0] == 0x0F:
                opmap, opc = 1, vals[1]
            else:
                fail(lineno, "unsupported opcode bytes")
            count = {None: 1, "r": 8, "cc": 16}[expand]
            for k in range(count):
                fm = Form()
                fm.lineno = lineno
                fm.map = opmap
                fm.opc = opc + k
                fm.handler = tail[0] + ("_" + CONDS[k] if expand == "cc" else "")
                fm.kind = tail[1]
                fm.flags = set(tail[2:])
                for fl in fm.flags:
                    if fl not in ("lock", "d64", "f64", "end"):
                        fail(lineno, "unknown flag " + fl)
                fm.opnds = opnds
                fm.reg = 0xFF
                fm.rm = 0xFF
                fm.mod = 0
                fm.pfx = 0
                fm.mode = 0
                fm.norexb = False
                fm.modrm = False
                for c in conds:
                    if c == "/r":
                        fm.modrm = True
                    elif len(c) == 2 and c[0] == "/" and c[1] in "01234567":
                        fm.modrm = True
                        fm.reg = int(c[1])
                    elif c == "mod=m":
                        fm.mod = 1
                    elif c == "mod=r":
                        fm.mod = 2
                    elif c.startswith("rm="):
                        fm.rm = int(c[3:])
                        fm.mod = 2
                    elif c.startswith("pfx="):
                        if c[4:] not in PFX:
                            fail(lineno, "bad prefix " + c)
                        fm.pfx = PFX[c[4:]]
                    elif c == "m64":
                        fm.mode = 1
                    elif c == "n64":
                        fm.mode = 2
                    elif c == "norexb":
                        fm.norexb = True
                    else:
                        fail(lineno, "unknown condition " + c)
                analyse(fm, expand)
                forms.append(fm)
    return forms


def analyse(fm, expand):
    ln = fm.lineno
    fm.imm = "NONE"
    fm.zreg = expand == "r"
    fm.erole = None          # the operand in the ModRM.rm (or opcode) role
    fm.rm0 = False
    fm.reg0 = False
    fm.byte_reg = False
    fm.byte_rm = False
    fm.modreg = False
    szclass = None
    imms = []
    for pos, o in enumerate(fm.opnds):
        if o in IMM_KINDS:
            imms.append(IMM_KINDS[o])
            continue
        if o in ("1", "CL", "DX"):
            continue
        if o in IMPLICIT:
            if pos == 0:
                fm.rm0 = True
                fm.erole = o
                if IMPLICIT[o] == "b":
                    fm.byte_rm = True
            else:
                fm.reg0 = True
                if IMPLICIT[o] == "b":
                    fm.byte_reg = True
            if szclass is None:
                szclass = IMPLICIT[o]
            continue
        letter = o[0]
        sz = size_letter(o)
        if letter == "Z":
            if not fm.zreg:
                fail(ln, "Z operand needs an xx+r opcode")
            fm.erole = o
            if sz == "b":
                fm.byte_rm = True
        elif letter in MODRM_LETTERS:
            if not fm.modrm:
                fail(ln, "operand %s needs ModRM" % o)
            if letter in E_ROLE:
                fm.erole = o
                if sz == "b" and letter == "E":
                    fm.byte_rm = True
            elif letter == "G" and sz == "b":
                fm.byte_reg = True
            if letter in "CD":
                fm.modreg = True
        else:
            fail(ln, "unknown operand " + o)
        if szclass is None and sz is not None and letter in "EGZRM":
            szclass = sz
    if len(imms) == 2:
        if imms != ["IW", "IB"]:
            fail(ln, "only Iw,Ib may combine")
        fm.imm = "IWIB"
    elif imms:
        fm.imm = imms[0]
    fm.szclass = szclass
    # register/memory split of the labels
    if fm.erole is None:
        fm.split = None
    elif fm.zreg or fm.rm0:
        fm.split = "r"
    elif fm.erole[0] in BOTH_FORMS:
        fm.split = "rm"
        if fm.mod == 1:
            fm.split = "m"
        elif fm.mod == 2:
            fm.split = "r"
    elif fm.erole[0] in MEM_ONLY:
        fm.split = "m"
    else:
        fm.split = "r"
    if fm.modreg:
        fm.split = "r" if fm.split else None


def labels_of(fm):
    """[(mem, sizeidx, label)] for an inlined form."""
    out = []
    sizes = SIZE_SETS[fm.szclass] if fm.szclass else [None]
    splits = {None: [None], "r": ["r"], "m": ["m"], "rm": ["r", "m"]}[fm.split]
    for s in splits:
        for sz in sizes:
            name = fm.handler
            if s is not None:
                name += "_" + s
                if sz is not None:
                    name += str(sz)
            elif sz is not None:
                name += "_" + str(sz)
            out.append((s, sz, name))
    return out


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    forms = parse(sys.argv[1])
    outdir = sys.argv[2]
    xlabels = []
    fnames = []
    seen = set()
    for fm in forms:
        if fm.kind == "x":
            for _, _, name in labels_of(fm):
                if name not in seen:
                    seen.add(name)
                    xlabels.append(name)
        else:
            if fm.handler not in seen:
                seen.add(fm.handler)
                fnames.append(fm.handler)
    ops = ["invalid"] + xlabels + fnames
    opid = {n: i for i, n in enumerate(ops)}

    # consistency: all forms of one opcode agree on having ModRM
    byop = {}
    for fm in forms:
        byop.setdefault((fm.map, fm.opc), []).append(fm)
    for key, lst in byop.items():
        if len(set(f.modrm for f in lst)) != 1:
            fail(lst[0].lineno, "forms of opcode %02x disagree on ModRM" % key[1])

    hdr = []
    hdr.append("/* generated by lib/vmm/iem/gen-tables.py from opcodes.tab */")
    hdr.append("#ifndef IEM_GEN_H\n#define IEM_GEN_H\n")
    hdr.append("struct iem_cpu;\nstruct iem_insn;\n")
    hdr.append("enum iem_op {")
    for n in ops:
        hdr.append("\tIEM_OP_%s," % n)
    hdr.append("\tIEM_OP_COUNT\n};\n")
    hdr.append("#define IEM_FIRST_FN_OP %d\n" % (1 + len(xlabels)))
    hdr.append("#define IEM_X_OPS(X) \\")
    for n in xlabels:
        hdr.append("\tX(%s) \\" % n)
    hdr.append("\t/* end */\n")
    hdr.append("#define IEM_F_OPS(X) \\")
    for n in fnames:
        hdr.append("\tX(%s) \\" % n)
    hdr.append("\t/* end */\n")
    for n in fnames:
        hdr.append("int iem_op_%s(struct iem_cpu *c, const struct iem_insn *i);" % n)
    hdr.append("\n#endif")
    src = []
    src.append("/* generated by lib/vmm/iem/gen-tables.py from opcodes.tab */")
    src.append('#include "lib/vmm/iem/iem-int.h"')
    src.append('#include "iem-gen.h"\n')
    src.append("const struct iem_form iem_forms[] = {")
    index = {}
    n = 0
    for key in sorted(byop):
        lst = byop[key]
        index[key] = (n, len(lst))
        for fm in lst:
            opv = [[opid["invalid"]] * 4 for _ in range(2)]
            if fm.kind == "f":
                opv = [[opid[fm.handler]] * 4 for _ in range(2)]
            else:
                for s, sz, name in labels_of(fm):
                    mems = [0, 1] if s is None else [1 if s == "m" else 0]
                    szs = range(4) if sz is None else [SIZES.index(sz)]
                    for m in mems:
                        for k in szs:
                            opv[m][k] = opid[name]
            flags = []
            if fm.modrm:
                flags.append("IEM_FF_MODRM")
            for fl, cn in (("lock", "LOCK"), ("d64", "D64"), ("f64", "F64"), ("end", "END")):
                if fl in fm.flags:
                    flags.append("IEM_FF_" + cn)
            for attr, cn in (("modreg", "MODREG"), ("zreg", "ZREG"), ("rm0", "RM0"),
                             ("reg0", "REG0"), ("byte_reg", "BYTE_REG"), ("byte_rm", "BYTE_RM"),
                             ("norexb", "NOREXB")):
                if getattr(fm, attr):
                    flags.append("IEM_FF_" + cn)
            if fm.kind == "f":
                flags.append("IEM_FF_FN")
            sz = {None: "IEM_SZ_V", "b": "IEM_SZ_B", "w": "IEM_SZ_W", "d": "IEM_SZ_D",
                  "q": "IEM_SZ_Q", "v": "IEM_SZ_V", "y": "IEM_SZ_Y", "z": "IEM_SZ_Z"}[fm.szclass]
            src.append("\t{ { { %s }, { %s } }, 0x%02x, 0x%02x, %d, %d, %d, IEM_IMM_%s, %s, %s }, /* %d */"
                       % (", ".join(str(v) for v in opv[0]), ", ".join(str(v) for v in opv[1]),
                          fm.reg, fm.rm, fm.mod, fm.pfx, fm.mode, fm.imm, sz,
                          " | ".join(flags) if flags else "0", fm.lineno))
            n += 1
    src.append("};\n")
    for m in range(2):
        src.append("const uint16_t iem_form_index%d[256][2] = {" % m)
        for opc in range(256):
            if (m, opc) in index:
                a, b = index[(m, opc)]
                src.append("\t[0x%02x] = { %d, %d }," % (opc, a, b))
        src.append("};\n")
    src.append("const iem_op_fn iem_fn_table[IEM_OP_COUNT] = {")
    for nm in fnames:
        src.append("\t[IEM_OP_%s] = iem_op_%s," % (nm, nm))
    src.append("};\n")
    src.append("const char *const iem_op_names[IEM_OP_COUNT] = {")
    for nm in ops:
        src.append('\t"%s",' % nm)
    src.append("};")
    os.makedirs(outdir, exist_ok=True)
    for name, lines in (("iem-gen.h", hdr), ("iem-gen.c", src)):
        tmp = os.path.join(outdir, name + ".tmp")
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, os.path.join(outdir, name))


if __name__ == "__main__":
    main()
