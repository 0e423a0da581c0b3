#!/usr/bin/env python3
"""Write the seed corpora of the image fuzzers into tests/fuzz/corpus/.

Small valid images of every layout the drivers parse, built field by
field (small blocks and grains keep them a few KiB), plus descriptors.
Run from anywhere; it needs nothing but Python 3.
"""
import os
import struct
import uuid
import zlib

TOP = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(TOP, 'corpus')


def put(sub, name, data):
    d = os.path.join(OUT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def guid(u):
    return uuid.UUID(u).bytes_le


# ---- VDI: 1.1+ header, 4 KiB blocks, FREE/ZERO/allocated entries ----
def vdi(typ=1, blocks=(0, 0xFFFFFFFF, 0xFFFFFFFE, 1), parent=None, hdr=0x190):
    cb = 4096
    off_blocks, off_data = 0x200, 0x400
    h = bytearray(off_data)
    h[0:40] = b'<<< Oracle VM VirtualBox Disk Image >>>\n'
    struct.pack_into('<II', h, 0x40, 0xBEDA107F, 0x00010001)
    struct.pack_into('<III', h, 0x48, hdr, typ, 0)
    h[0x54:0x54 + 4] = b'seed'
    struct.pack_into('<II', h, 0x154, off_blocks, off_data)
    struct.pack_into('<IIII', h, 0x15C, 0, 0, 0, 512)
    nalloc = sum(1 for b in blocks if b < 0xFFFFFFFE)
    struct.pack_into('<QIIII', h, 0x170, cb * len(blocks), cb, 0,
                     len(blocks), nalloc)
    h[0x188:0x198] = guid('9bcb8dff-7b9c-4b4a-8f7b-4d5e0a2d4c01')
    h[0x198:0x1A8] = guid('3d1f6c2e-95a1-4bd2-a3b0-c5f6e7a8b9c0')
    if parent:
        h[0x1A8:0x1B8] = guid(parent)
    struct.pack_into('<IIII', h, 0x1C8, 0, 0, 0, 512)
    for i, b in enumerate(blocks):
        struct.pack_into('<I', h, off_blocks + 4 * i, b)
    data = b''.join(bytes([0x40 + i]) * cb for i in range(nalloc))
    return bytes(h) + data


put('vdi', 'dynamic.vdi', vdi())
put('vdi', 'fixed.vdi', vdi(2, (0, 1, 2)))
put('vdi', 'diff.vdi', vdi(4, (0xFFFFFFFF, 0),
                           parent='11111111-2222-3333-4444-555555555555'))
put('vdi', 'plain-1.1.vdi', vdi(hdr=0x180))


# ---- VHD: footer, dynamic header, BAT, 4 KiB blocks with bitmaps ----
def csum(b, at):
    return (~(sum(b) - sum(b[at:at + 4]))) & 0xFFFFFFFF


def footer(size, typ, data_off):
    f = bytearray(512)
    f[0:8] = b'conectix'
    struct.pack_into('>IIQI', f, 8, 2, 0x00010000, data_off, 0)
    f[0x1C:0x20] = b'vbox'
    struct.pack_into('>II', f, 0x20, 0x00070000, 0x5769326B)
    struct.pack_into('>QQHBBI', f, 0x28, size, size, 8, 4, 17, typ)
    f[0x44:0x54] = guid('6d3c1a2b-1111-4222-8333-944455556666')
    struct.pack_into('>I', f, 0x40, csum(f, 0x40))
    return bytes(f)


def vhd_dynamic(diff=False):
    bs, nblocks = 4096, 4
    size = bs * nblocks
    dyn = bytearray(1024)
    dyn[0:8] = b'cxsparse'
    struct.pack_into('>QQIII', dyn, 8, 0xFFFFFFFFFFFFFFFF, 1536, 0x00010000,
                     nblocks, bs)
    if diff:
        dyn[0x28:0x38] = guid('11111111-2222-3333-4444-555555555555')
        name = 'base.vhd'.encode('utf-16-be')
        dyn[0x40:0x40 + len(name)] = name
        rel = './base.vhd'.encode('utf-16-le')
        struct.pack_into('>IIIIQ', dyn, 0x240, 0x57327275, 512, len(rel), 0,
                         2048 + 512 + (bs + 512))
    bat = bytearray(b'\xff' * 512)
    block_at = 2048 + 512
    struct.pack_into('>I', bat, 0, block_at // 512)
    bitmap = bytearray(512)
    bitmap[0] = 0xF0
    block = bytes(bitmap) + bytes([0x5A]) * bs
    struct.pack_into('>I', dyn, 0x24, csum(dyn, 0x24))
    f = footer(size, 4 if diff else 3, 512)
    body = f + bytes(dyn) + bytes(bat) + block
    if diff:
        body += rel + bytes(512 - len(rel))
    return body + f


put('vhd', 'dynamic.vhd', vhd_dynamic())
put('vhd', 'diff.vhd', vhd_dynamic(True))
put('vhd', 'fixed.vhd', bytes([0x33]) * 8192 +
    footer(8192, 2, 0xFFFFFFFFFFFFFFFF))


# ---- VMDK: monolithic sparse (8-sector grains) and stream ----
DESC = ('# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n'
        'createType="{t}"\n\n# Extent description\n{a} {n} SPARSE "f.vmdk"\n\n'
        '# The disk Data Base \n#DDB\n\nddb.virtualHWVersion = "4"\n'
        'ddb.adapterType="ide"\n'
        'ddb.uuid.image="c9c27d0c-f8aa-482c-807a-74208be08ed7"\n'
        'ddb.uuid.parent="00000000-0000-0000-0000-000000000000"\n'
        'ddb.geometry.cylinders="1"\nddb.geometry.heads="16"\n'
        'ddb.geometry.sectors="63"\n')


def sparse_hdr(ver, flags, cap, grain, gtes, rgd, gd, overhead, compress=0):
    h = bytearray(512)
    struct.pack_into('<IIIQQQQIQQQ', h, 0, 0x564D444B, ver, flags, cap, grain,
                     1, 4, gtes, rgd, gd, overhead)
    h[0x49:0x4D] = b'\n \r\n'
    struct.pack_into('<H', h, 0x4D, compress)
    return h


def vmdk_sparse():
    grain, gtes, cap = 8, 128, 8 * 128 * 2
    desc = DESC.format(t='monolithicSparse', a='RW', n=cap).encode()
    desc += bytes(4 * 512 - len(desc))
    # sectors: 0 hdr, 1-4 desc, 5 rgd, 6-7 rgts, 8 gd, 9-10 gts, 16 grain
    h = sparse_hdr(1, 3, cap, grain, gtes, 5, 8, 16)
    rgd = struct.pack('<II', 6, 7) + bytes(504)
    gd = struct.pack('<II', 9, 10) + bytes(504)
    gt0 = struct.pack('<I', 16) + bytes(508)
    gt1 = bytes(512)
    img = bytes(h) + desc + rgd + gt0 + gt1 + gd + gt0 + gt1
    img += bytes(16 * 512 - len(img))
    return img + bytes([0x77]) * grain * 512


def vmdk_stream():
    grain, gtes, cap = 8, 128, 8 * 128
    desc = DESC.format(t='streamOptimized', a='RDONLY', n=cap).encode()
    desc += bytes(4 * 512 - len(desc))
    h = sparse_hdr(3, 0x30001, cap, grain, gtes, 0, 0xFFFFFFFFFFFFFFFF, 8, 1)
    out = bytearray(bytes(h) + desc)
    out += bytes(8 * 512 - len(out))
    z = zlib.compress(bytes([0x42]) * grain * 512)
    gte = len(out) // 512
    rec = struct.pack('<QI', 0, len(z)) + z
    out += rec + bytes(-len(rec) % 512)
    gt = struct.pack('<I', gte) + bytes(508)
    out += struct.pack('<QII', 1, 0, 1) + bytes(496)
    gt_at = len(out) // 512
    out += gt
    out += struct.pack('<QII', 1, 0, 2) + bytes(496)
    gd_at = len(out) // 512
    out += struct.pack('<I', gt_at) + bytes(508)
    foot = sparse_hdr(3, 0x30001, cap, grain, gtes, 0, gd_at, 8, 1)
    out += struct.pack('<QII', 1, 0, 3) + bytes(496) + bytes(foot)
    out += bytes(512)
    return bytes(out)


put('vmdk-sparse', 'monolithic-sparse.vmdk', vmdk_sparse())
put('vmdk-sparse', 'stream.vmdk', vmdk_stream())

# ---- descriptors (extent files d-flat.vmdk / d-f001.vmdk exist) ----
put('vmdk-desc', 'flat.txt', (
    '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
    'createType="monolithicFlat"\n\n# Extent description\n'
    'RW 128 FLAT "d-flat.vmdk" 0\n\n# The disk Data Base \n#DDB\n\n'
    'ddb.virtualHWVersion = "4"\nddb.adapterType="lsilogic"\n'
    'ddb.uuid.image="c9c27d0c-f8aa-482c-807a-74208be08ed7"\n'
    'ddb.comment="two\\nlines"\n').encode())
put('vmdk-desc', 'multi-extent.txt', (
    '# Disk DescriptorFile\nversion=1\nencoding="UTF-8"\nCID=fffffffe\n'
    'parentCID=ffffffff\ncreateType="twoGbMaxExtentFlat"\n\n'
    'RW 64 FLAT "d-flat.vmdk" 0\nRW 64 ZERO\nRDONLY 64 FLAT "d-f001.vmdk" 2\n'
    '\nddb.geometry.biosCylinders = "1"\nddb.geometry.biosHeads = "16"\n'
    'ddb.geometry.biosSectors = "63"\nddb.longContentID = "abc"\n').encode())
put('vmdk-desc', 'vmfs.txt', (
    '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\n'
    'createType="vmfs"\nRW 128 VMFS "d-flat.vmdk"\n'
    'ddb.uuid.parent="11111111-2222-3333-4444-555555555555"\n').encode())
