#!/usr/bin/env python3
"""Write the seed corpus for tests/fuzz/fuzz_elf_load.c.

Small hand-made ELF64 images, valid and invalid, covering the shapes the
loader's checks (images/efi/elf_load.c) distinguish, so the fuzzer starts
from inputs that already get past the header checks. The output files are
committed; rerun this only to change the seeds:

    tests/fuzz/corpus/make_elf_seeds.py [OUTDIR]   (default: next to this
                                                    script, in elf_load/)
"""
import os
import struct
import sys

MIB = 0x100000
PT_LOAD, PT_NOTE, PT_GNU_STACK = 1, 4, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
EHDR_SIZE, PHDR_SIZE = 64, 56


def phdr(ptype, flags, offset, paddr, filesz, memsz, vaddr=None):
    return dict(type=ptype, flags=flags, offset=offset, paddr=paddr,
                vaddr=paddr if vaddr is None else vaddr,
                filesz=filesz, memsz=memsz)


def elf(phdrs, entry, size, cls=2, data=1, machine=62, etype=2,
        phentsize=PHDR_SIZE, phoff=EHDR_SIZE, phnum=None):
    """An ELF64 image of `size` bytes: header, phdrs, then filler bytes."""
    buf = bytearray((i * 7 + 1) & 0xFF for i in range(size))
    ident = b"\x7fELF" + bytes([cls, data, 1, 0]) + bytes(8)
    hdr = ident + struct.pack(
        "<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0,
        EHDR_SIZE, phentsize, len(phdrs) if phnum is None else phnum,
        0, 0, 0)
    buf[0:EHDR_SIZE] = hdr
    for i, p in enumerate(phdrs):
        raw = struct.pack("<IIQQQQQQ", p["type"], p["flags"], p["offset"],
                          p["vaddr"], p["paddr"], p["filesz"], p["memsz"],
                          0x1000)
        at = phoff + i * phentsize
        buf[at:at + PHDR_SIZE] = raw
    return bytes(buf[:size])


def kernel():
    """Text, rodata and data+bss, with a note and GNU_STACK, like ld makes."""
    ph = [
        phdr(PT_LOAD, PF_R | PF_X, 0x200, MIB, 0x100, 0x100),
        phdr(PT_LOAD, PF_R, 0x300, MIB + 0x1000, 0x40, 0x40),
        phdr(PT_LOAD, PF_R | PF_W, 0x340, MIB + 0x2000, 0x20, 0x3000),
        phdr(PT_NOTE, PF_R, 0x360, 0, 0x18, 0x18),
        phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0),
    ]
    return ph


SEEDS = {
    "valid_min": elf([phdr(PT_LOAD, PF_R | PF_X, 0x80, MIB, 0x20, 0x20)],
                     MIB + 4, 0xA0),
    "valid_kernel": elf(kernel(), MIB + 0x10, 0x380),
    "valid_shared_page": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0xB0, MIB + 0xB0, 0x50, 0x50),
         phdr(PT_LOAD, PF_R | PF_W, 0x100, MIB + 0x100, 0x10, 0x2000)],
        MIB + 0xB0, 0x110),
    "bad_class32": elf(kernel(), MIB + 0x10, 0x380, cls=1),
    "bad_machine": elf(kernel(), MIB + 0x10, 0x380, machine=3),
    "bad_phentsize": elf(kernel(), MIB + 0x10, 0x380, phentsize=32),
    "bad_phoff": elf(kernel(), MIB + 0x10, 0x380, phoff=0x370),
    "bad_truncated": elf(kernel(), MIB + 0x10, 0x380)[:0x100],
    "bad_overlap": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0xB0, MIB, 0x20, 0x1000),
         phdr(PT_LOAD, PF_R | PF_W, 0xD0, MIB + 0xFFF, 0x10, 0x10)],
        MIB, 0xE0),
    "bad_filesz": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0x80, MIB, 0x40, 0x20)], MIB, 0xC0),
    "bad_low": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0x80, 0x7C00, 0x20, 0x20)],
        0x7C00, 0xA0),
    "bad_high": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0x80, 0xFFFFF000, 0x20, 0x2000)],
        0xFFFFF000, 0xA0),
    "bad_entry": elf(kernel(), MIB + 0x2000, 0x380),
    "bad_vaddr": elf(
        [phdr(PT_LOAD, PF_R | PF_X, 0x80, MIB, 0x20, 0x20,
              vaddr=0xFFFFFFFF80000000 + MIB)], MIB, 0xA0),
    "bad_no_load": elf([phdr(PT_NOTE, PF_R, 0x80, 0, 0x18, 0x18)],
                       MIB, 0xA0),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "elf_load")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name + ".elf"), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out}")


if __name__ == "__main__":
    main()
