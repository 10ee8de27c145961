#!/usr/bin/env python3
"""Write the seed corpus for tests/fuzz/fuzz_ip_rcv.c.

Each seed is one Ethernet frame as the driver hands it up, addressed to
the hosted NIC (52:54:00:12:34:56, 10.0.0.2/24; the peer is 10.0.0.1 at
02:00:00:00:00:01): an echo request, UDP to the fuzzer's bound ports 7
and 53 and to a closed one, a datagram in three fragments (one seed each),
IP options, an ICMP port unreachable quoting one of our datagrams, ARP
requests and replies, and a few broken headers. The output files are
committed; rerun this only to change the seeds:

    tests/fuzz/corpus/make_ip_rcv_seeds.py [OUTDIR]   (default: ip_rcv/
                                                       next to this script)
"""
import os
import struct
import sys

US_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("020000000001")
BCAST = b"\xff" * 6
US = bytes([10, 0, 0, 2])
PEER = bytes([10, 0, 0, 1])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(payload, proto=0x0800, dst=US_MAC):
    return dst + PEER_MAC + struct.pack("!H", proto) + payload


def ipv4(payload, proto, src=PEER, dst=US, ident=1, frag=0, options=b"", tot=None):
    ihl = 5 + len(options) // 4
    tot = tot if tot is not None else ihl * 4 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, frag, 64, proto, 0,
                      src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, data, src=PEER, dst=US):
    length = 8 + len(data)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    seg = struct.pack("!HHHH", sport, dport, length, 0) + data
    return seg[:6] + struct.pack("!H", csum(pseudo + seg) or 0xFFFF) + seg[8:]


def icmp(typ, code, rest, data):
    msg = struct.pack("!BBH", typ, code, 0) + rest + data
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def arp(op, sha, sip, tha, tip, dst=BCAST):
    return eth(struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, sip, tha, tip),
               0x0806, dst)


def seeds():
    yield "echo", eth(ipv4(icmp(8, 0, struct.pack("!HH", 1, 1), b"ping" * 8), 1))
    yield "udp_echo_port", eth(ipv4(udp(4000, 7, b"hello"), 17))
    yield "udp_dns_port", eth(ipv4(udp(4001, 53, b"\x12\x34" + b"\0" * 10), 17))
    yield "udp_closed_port", eth(ipv4(udp(4002, 9, b"closed"), 17))
    yield "udp_broadcast", eth(ipv4(udp(68, 67, b"dhcp", PEER, b"\xff" * 4), 17, dst=b"\xff" * 4),
                               dst=BCAST)
    dgram = udp(4003, 7, bytes(range(256)) * 8)
    for i, off in enumerate(range(0, len(dgram), 1000)):
        more = 0x2000 if off + 1000 < len(dgram) else 0
        yield "frag%d" % i, eth(ipv4(dgram[off:off + 1000], 17, ident=77, frag=more | off // 8))
    yield "options", eth(ipv4(icmp(8, 0, b"\0\1\0\2", b"opt"), 1, options=b"\x01" * 8))
    quoted = ipv4(udp(9000, 5000, b"x", US, PEER), 17, US, PEER)[:28]
    yield "port_unreach", eth(ipv4(icmp(3, 3, b"\0" * 4, quoted), 1))
    yield "proto_99", eth(ipv4(b"unknown protocol", 99))
    yield "arp_request", arp(1, PEER_MAC, PEER, b"\0" * 6, US)
    yield "arp_reply", arp(2, PEER_MAC, PEER, US_MAC, US, dst=US_MAC)
    yield "arp_probe", arp(1, PEER_MAC, b"\0" * 4, b"\0" * 6, US)
    yield "bad_ihl", eth(b"\x44" + ipv4(b"x" * 8, 1)[1:])
    yield "tot_len_long", eth(ipv4(b"x" * 8, 1, tot=200))
    yield "runt", eth(b"\x45\x00\x00")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "ip_rcv")
    os.makedirs(out, exist_ok=True)
    for name, frame in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(frame)


if __name__ == "__main__":
    main()
