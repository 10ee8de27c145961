#!/usr/bin/env python3
"""Write the seed corpus for tests/fuzz/fuzz_tcp_rcv.c.

A seed is a list of records [mode][len][TCP header + options + data]
(see the fuzzer's header comment): mode 1 sends to the listener from a
fresh port, 2 to the established connection as is, 3 to it with our
sequence numbers patched in (the record's seq/ack fields become offsets),
+4 lets time pass, +8 delivers while the socket is owned (backlog).
Checksums are not checked by the fuzzer, so they are left zero. The output
files are committed; rerun this only to change the seeds:

    tests/fuzz/corpus/make_tcp_rcv_seeds.py [OUTDIR]   (default: tcp_rcv/)
"""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32


def tcp(flags, seq=0, ack=0, win=65535, opts=b"", data=b"", doff=None, sport=40000, dport=80):
    opts = opts + b"\0" * (-len(opts) % 4)
    off = doff if doff is not None else (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts + data


def rec(mode, seg):
    assert len(seg) <= 255
    return bytes([mode, len(seg)]) + seg


MSS = b"\x02\x04\x05\xb4"
WS = b"\x01\x03\x03\x07"
SACKP = b"\x01\x01\x04\x02"
TS = b"\x01\x01\x08\x0a" + struct.pack("!II", 9000, 0)
OFF = 0x8000  # mode 3: seq field = 0x8000 + offset from RCV.NXT

SEEDS = {
    "syn_plain": rec(1, tcp(SYN, 1000)),
    "syn_opts": rec(1, tcp(SYN, 1000, opts=MSS + WS + SACKP + TS)),
    "handshake_data": rec(1, tcp(SYN, 1000, opts=MSS)) + rec(1, tcp(ACK | PSH, 1001, 1, data=b"x" * 20)),
    "est_data": rec(3, tcp(ACK | PSH, OFF, 0, opts=TS, data=b"hello")),
    "est_ooo": rec(3, tcp(ACK, OFF + 100, 0, data=b"a" * 50)) + rec(3, tcp(ACK, OFF, 0, data=b"b" * 100)),
    "est_fin": rec(3, tcp(ACK | FIN, OFF, 0, data=b"bye")),
    "est_rst_exact": rec(3, tcp(RST, OFF, 0)),
    "est_rst_inwin": rec(3, tcp(RST | ACK, OFF + 10, 0)),
    "est_syn": rec(3, tcp(SYN, OFF + 5, 0)),
    "est_ack_future": rec(3, tcp(ACK, OFF, 0x7fff)),
    "est_dupacks": rec(3, tcp(ACK, OFF, 0)) * 4,
    "est_zero_win": rec(3, tcp(ACK, OFF, 0, win=0)) + rec(7, b"\xc8" + tcp(ACK, OFF, 0)[1:]),
    "est_backlog": rec(11, tcp(ACK | PSH, OFF, 0, data=b"owned")),
    "est_urg": rec(3, tcp(ACK | URG, OFF, 0, data=b"!")),
    "opts_garbage": rec(1, tcp(SYN, 5, opts=b"\x02\x01\x08\x00\x05\x03\xff\xff")),
    "opts_sack": rec(3, tcp(ACK, OFF, 0, opts=b"\x01\x01\x05\x12" + struct.pack("!IIII", 1, 2, 3, 4))),
    "doff_small": rec(2, tcp(ACK, 1, 1, doff=3)),
    "doff_big": rec(2, tcp(ACK, 1, 1, doff=15)),
    "closed_port": rec(0, tcp(SYN, 1, dport=8)),
    "time_passes": rec(5, tcp(SYN, 1000)) + rec(4, b"\xff"),
    "send_then_acks": rec(0x13, tcp(ACK, OFF, 1024)) + rec(0x13, tcp(ACK, OFF, 0)) * 3
    + rec(0x17, b"\xc8" + tcp(ACK, OFF, 0)[1:]) + rec(3, tcp(ACK, OFF, 2048)),
    "send_dupacks_recovery": rec(0xd3, tcp(ACK, OFF, 0)) + rec(3, tcp(ACK, OFF, 0)) * 4
    + rec(3, tcp(ACK, OFF, 1448)) + rec(3, tcp(ACK, OFF, 4096)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "tcp_rcv")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
