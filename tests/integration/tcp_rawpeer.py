#!/usr/bin/python3
"""A hand-driven TCP peer for the echo image, run inside the test namespace.

`tcp_rawpeer.py CASE...` talks to $GUEST_IP port 7 (or 8) over $TAP with
scapy, from an address of its own (10.77.0.77, answering ARP for it), so
the host kernel's TCP never sees the guest's segments and sends no RSTs.
Each case prints what it saw and raises on a wrong segment; it asserts
on segments and their order, never on timing (the times are printed).

Cases: closed_port, synack_options, synack_retransmit, rto_retransmit,
zero_window_probe, challenge_ack. Exit status 0 when all pass.
"""

import os
import random
import select
import sys
import time

from scapy.all import ARP, IP, TCP, Ether, Raw, conf  # noqa: E402

GUEST = os.environ["GUEST_IP"]
TAP = os.environ["TAP"]
ME_IP = "10.77.0.77"
ME_MAC = "02:00:00:00:77:77"


class Peer:
    def __init__(self):
        conf.verb = 0
        self.sock = conf.L2socket(iface=TAP)
        self.guest_mac = None
        self.resolve()

    def resolve(self):
        for _ in range(20):
            self.sock.send(Ether(src=ME_MAC, dst="ff:ff:ff:ff:ff:ff") /
                           ARP(op=1, hwsrc=ME_MAC, psrc=ME_IP, pdst=GUEST))
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                if not select.select([self.sock], [], [], max(0.0, end - time.monotonic()))[0]:
                    break
                p = self.sock.recv()
                if p is not None and ARP in p and p[ARP].op == 2 and p[ARP].psrc == GUEST:
                    self.guest_mac = p[ARP].hwsrc
                    return
        raise SystemExit("the guest never answered ARP")

    def send(self, tcp, payload=b""):
        pkt = Ether(src=ME_MAC, dst=self.guest_mac) / IP(src=ME_IP, dst=GUEST) / tcp
        if payload:
            pkt = pkt / Raw(payload)
        self.sock.send(pkt)

    def recv(self, timeout, sport=None):
        """The next TCP segment from the guest to us (ARP for us answered), or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            # recv() blocks: wait for a frame first, so a guest that stays
            # silent fails the case at its timeout instead of hanging the run
            ready, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                break
            p = self.sock.recv()
            if p is None:
                time.sleep(0.001)
                continue
            if ARP in p and p[ARP].op == 1 and p[ARP].pdst == ME_IP:
                self.sock.send(Ether(src=ME_MAC, dst=p[ARP].hwsrc) /
                               ARP(op=2, hwsrc=ME_MAC, psrc=ME_IP, hwdst=p[ARP].hwsrc,
                                   pdst=p[ARP].psrc))
                continue
            if IP in p and TCP in p and p[IP].src == GUEST and p[IP].dst == ME_IP:
                if sport is None or p[TCP].dport == sport:
                    return p[TCP]
        return None


def opts(t):
    return dict((k, v) for k, v in t.options)


def flags(t):
    return str(t.flags)


def handshake(peer, sport, win=65535, ts=True):
    """Open a connection to port 7; returns (our next seq, the guest's next seq, tsval)."""
    isn = random.randrange(1 << 32)
    o = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
    tsval = 1000
    if ts:
        o.append(("Timestamp", (tsval, 0)))
    peer.send(TCP(sport=sport, dport=7, seq=isn, flags="S", window=win, options=o))
    sa = peer.recv(3, sport)
    assert sa is not None and flags(sa) == "SA", sa
    assert sa.ack == (isn + 1) % (1 << 32)
    ack_o = [("Timestamp", (tsval + 1, opts(sa)["Timestamp"][0]))] if ts else []
    peer.send(TCP(sport=sport, dport=7, seq=isn + 1, ack=sa.seq + 1, flags="A",
                  window=win, options=ack_o))
    return (isn + 1) % (1 << 32), (sa.seq + 1) % (1 << 32), opts(sa).get("Timestamp", (0, 0))[0]


def case_closed_port(peer):
    isn = 12345
    peer.send(TCP(sport=40100, dport=8, seq=isn, flags="S", window=65535))
    r = peer.recv(3, 40100)
    assert r is not None and flags(r) == "RA", r
    assert r.seq == 0 and r.ack == isn + 1, (r.seq, r.ack)
    print("closed_port: RST/ACK seq 0 ack ISN+1")


def case_synack_options(peer):
    isn = 777
    peer.send(TCP(sport=40101, dport=7, seq=isn, flags="S", window=65535,
                  options=[("MSS", 1000), ("SAckOK", b""), ("Timestamp", (4242, 0)),
                           ("WScale", 5)]))
    sa = peer.recv(3, 40101)
    assert sa is not None and flags(sa) == "SA", sa
    o = opts(sa)
    assert "MSS" in o and "WScale" in o and "SAckOK" in o, o
    assert o["Timestamp"][1] == 4242, o
    assert sa.window <= 65535
    peer.send(TCP(sport=40101, dport=7, seq=isn + 1, ack=sa.seq + 1, flags="R"))
    # no options offered: none come back
    peer.send(TCP(sport=40102, dport=7, seq=isn, flags="S", window=65535))
    sa = peer.recv(3, 40102)
    assert sa is not None and flags(sa) == "SA", sa
    o = opts(sa)
    assert "MSS" in o and "WScale" not in o and "Timestamp" not in o and "SAckOK" not in o, o
    peer.send(TCP(sport=40102, dport=7, seq=isn + 1, ack=sa.seq + 1, flags="R"))
    print("synack_options: echoed what the SYN offered, only that")


def case_synack_retransmit(peer):
    isn = 1000
    peer.send(TCP(sport=40103, dport=7, seq=isn, flags="S", window=65535,
                  options=[("MSS", 1460)]))
    t0, times, seqs = time.monotonic(), [], set()
    while len(times) < 4:
        sa = peer.recv(10, 40103)
        assert sa is not None, f"only {len(times)} SYN-ACKs"
        assert flags(sa) == "SA"
        times.append(time.monotonic() - t0)
        seqs.add(sa.seq)
    assert len(seqs) == 1, "the same ISN each time"
    peer.send(TCP(sport=40103, dport=7, seq=isn + 1, ack=seqs.pop() + 1, flags="R"))
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    print("synack_retransmit: SYN-ACK at", [round(t, 2) for t in times], "gaps", gaps)


def case_rto_retransmit(peer):
    sport = 40104
    seq, gseq, _ = handshake(peer, sport, ts=False)
    peer.send(TCP(sport=sport, dport=7, seq=seq, ack=gseq, flags="PA", window=65535), b"hello")
    t0, times = time.monotonic(), []
    while len(times) < 4:
        r = peer.recv(10, sport)
        assert r is not None, f"{len(times)} copies of the echo"
        if not bytes(r.payload):
            continue      # a pure ACK of our data
        assert r.seq == gseq and bytes(r.payload) == b"hello", (r.seq, bytes(r.payload))
        times.append(time.monotonic() - t0)
    peer.send(TCP(sport=sport, dport=7, seq=seq + 5, ack=gseq + 5, flags="A", window=65535))
    peer.send(TCP(sport=sport, dport=7, seq=seq + 5, ack=gseq + 5, flags="R"))
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    print("rto_retransmit: echo sent at", [round(t, 2) for t in times], "gaps", gaps)


def case_zero_window_probe(peer):
    sport = 40105
    seq, gseq, _ = handshake(peer, sport, ts=False)
    peer.send(TCP(sport=sport, dport=7, seq=seq, ack=gseq, flags="PA", window=0), b"ping")
    probes, t0 = [], time.monotonic()
    while len(probes) < 3:
        r = peer.recv(15, sport)
        assert r is not None, f"{len(probes)} probes"
        n = len(bytes(r.payload))
        assert n == 0, f"{n} bytes sent into a zero window"
        if r.seq == (gseq - 1) % (1 << 32):
            probes.append(round(time.monotonic() - t0, 2))
            peer.send(TCP(sport=sport, dport=7, seq=seq + 4, ack=gseq, flags="A", window=0))
    peer.send(TCP(sport=sport, dport=7, seq=seq + 4, ack=gseq, flags="A", window=65535))
    while True:
        r = peer.recv(5, sport)
        assert r is not None, "no data after the window opened"
        if bytes(r.payload):
            assert r.seq == gseq and bytes(r.payload) == b"ping"
            break
    peer.send(TCP(sport=sport, dport=7, seq=seq + 4, ack=gseq + 4, flags="R"))
    print("zero_window_probe: probes (seq = SND.UNA - 1) at", probes, "then the data")


def case_challenge_ack(peer):
    sport = 40106
    seq, gseq, _ = handshake(peer, sport, ts=False)
    # RFC 5961 §3.2: an in-window RST that is not exact draws an ACK, the connection stays.
    peer.send(TCP(sport=sport, dport=7, seq=seq + 100, flags="R"))
    r = peer.recv(3, sport)
    assert r is not None and flags(r) == "A" and r.ack == seq, r
    # §4.2: a SYN in ESTABLISHED, likewise.
    peer.send(TCP(sport=sport, dport=7, seq=seq + 5, flags="S", window=65535))
    r = peer.recv(3, sport)
    assert r is not None and flags(r) == "A" and r.ack == seq, r
    peer.send(TCP(sport=sport, dport=7, seq=seq, ack=gseq, flags="PA", window=65535), b"alive?")
    while True:
        r = peer.recv(3, sport)
        assert r is not None, "the connection died"
        if bytes(r.payload):
            assert bytes(r.payload) == b"alive?"
            break
    peer.send(TCP(sport=sport, dport=7, seq=seq + 6, flags="R"))
    print("challenge_ack: RST and SYN in window answered with ACKs; still echoing")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    names = sys.argv[1:] or list(CASES)
    peer = Peer()
    for n in names:
        CASES[n](peer)
    print("PASS")


if __name__ == "__main__":
    main()
