#!/usr/bin/env python3
"""Write the seed corpus for tests/fuzz/fuzz_acpi.c.

Each seed is the BIOS area at physical 0xE0000 (the fuzzer maps the input
there): an RSDP, a root table (RSDT and/or XSDT) and a MADT pointing at
each other inside it. The MADT of the QEMU seeds is the one QEMU 7.2 builds
for `-machine q35 -smp 4` (dumped from a guest under qboot and OVMF); the
others add the entry types QEMU emits only for big machines (x2APIC, LAPIC
address override), and a few broken tables. The output files are
committed; rerun this only to change the seeds:

    tests/fuzz/corpus/make_acpi_seeds.py [OUTDIR]   (default: next to this
                                                     script, in acpi/)
"""
import os
import struct
import sys

BASE = 0xE0000
RSDP, RSDT, XSDT, FACP, MADT = 0x0, 0x40, 0x80, 0x100, 0x200

# QEMU 7.2, q35, -smp 4: 4 LAPICs, IOAPIC 0 at 0xfec00000, ISOs 0->2, 5, 9,
# 10, 11 (level), LAPIC NMI on LINT1.
QEMU_MADT = bytes.fromhex(
    "4150494390000000014b424f4348532042585043202020200100000042585043"
    "010000000000e0fe010000000008000001000000000801010100000000080202"
    "010000000008030301000000010c00000000c0fe00000000020a000002000000"
    "0000020a0005050000000d00020a0009090000000d00020a000a0a0000000d00"
    "020a000b0b0000000d000406ff000001")


def checksum_fix(buf, start, length, at):
    buf[start + at] = 0
    buf[start + at] = (-sum(buf[start:start + length])) & 0xFF


def header(sig, length):
    return bytearray(sig + struct.pack("<IBB", length, 1, 0) + b"BOCHS BXPC    "
                     + struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1))


def table(sig, body=b""):
    t = header(sig, 36 + len(body)) + body
    checksum_fix(t, 0, len(t), 9)
    return t


def rsdp(rev, rsdt, xsdt=0):
    r = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + bytes([rev]) + struct.pack("<I", rsdt))
    if rev >= 2:
        r += struct.pack("<IQ", 36, xsdt) + b"\0\0\0\0"
    checksum_fix(r, 0, 20, 8)
    if rev >= 2:
        checksum_fix(r, 0, 36, 32)
    return r


def lapic(acpi_id, apic_id, flags=1):
    return struct.pack("<BBBBI", 0, 8, acpi_id, apic_id, flags)


def x2apic(apic_id, flags=1, uid=0):
    return struct.pack("<BBHIII", 9, 16, 0, apic_id, flags, uid)


def ioapic(ioapic_id, addr, gsi):
    return struct.pack("<BBBBII", 1, 12, ioapic_id, 0, addr, gsi)


def iso(irq, gsi, flags):
    return struct.pack("<BBBBIH", 2, 10, 0, irq, gsi, flags)


def lapic_override(addr):
    return struct.pack("<BBHQ", 5, 12, 0, addr)


def madt(entries, lapic_addr=0xFEE00000):
    return table(b"APIC", struct.pack("<II", lapic_addr, 1) + b"".join(entries))


def image(parts, size):
    buf = bytearray(size)
    for off, data in parts:
        buf[off:off + len(data)] = data
    return buf


def rsdt_of(*offs):
    return table(b"RSDT", b"".join(struct.pack("<I", BASE + o) for o in offs))


def xsdt_of(*offs):
    return table(b"XSDT", b"".join(struct.pack("<Q", BASE + o) for o in offs))


def seeds():
    facp = table(b"FACP")
    qboot = [(RSDP, rsdp(0, BASE + RSDT)), (RSDT, rsdt_of(FACP, MADT)),
             (FACP, facp), (MADT, QEMU_MADT)]
    ovmf = [(RSDP, rsdp(2, BASE + RSDT, BASE + XSDT)), (RSDT, rsdt_of(FACP, MADT)),
            (XSDT, xsdt_of(FACP, MADT)), (FACP, facp), (MADT, QEMU_MADT)]
    big = madt([lapic(0, 0)] + [x2apic(300 + i) for i in range(6)]
               + [x2apic(0xFFFFFFFF), ioapic(0, 0xFEC00000, 0),
                  ioapic(1, 0xFEC01000, 24), iso(0, 2, 0),
                  lapic_override(0xFEE00000)])
    many = madt([lapic(i, i % 70, 1 if i % 9 else 0) for i in range(80)]
                + [ioapic(0, 0xFEC00000, 0)])
    zero_len = bytearray(QEMU_MADT)
    zero_len[45] = 0                    # first LAPIC entry: length 0
    checksum_fix(zero_len, 0, len(zero_len), 9)
    bad_sum = bytearray(QEMU_MADT)
    bad_sum[9] ^= 0x55
    shifted = [(0x10, rsdp(0, BASE + RSDT))] + qboot[1:]
    return {
        "qemu_qboot_rsdt": image(qboot, 0x300),
        "qemu_ovmf_xsdt": image(ovmf, 0x300),
        "x2apic_override": image([(RSDP, rsdp(2, 0, BASE + XSDT)),
                                  (XSDT, xsdt_of(MADT)), (MADT, big)], 0x200 + len(big)),
        "many_cpus": image([(RSDP, rsdp(0, BASE + RSDT)), (RSDT, rsdt_of(MADT)),
                            (MADT, many)], 0x200 + len(many)),
        "bad_entry_len": image(qboot[:3] + [(MADT, zero_len)], 0x300),
        "bad_madt_checksum": image(qboot[:3] + [(MADT, bad_sum)], 0x300),
        "rsdp_not_at_base": image(shifted, 0x300),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "acpi")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
