"""The guest on the network: ARP, IPv4, ICMP and UDP seen from the host.

Each test boots an image with `scripts/run --net tap` (a private namespace
with a tap; the guest is 10.77.0.2, the host side 10.77.0.1) and runs its
checks as the --host-cmd, inside that namespace. Needs root.
"""

import os
import textwrap

import pytest

from conftest import describe, need, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

PY = "/usr/bin/python3"


def host_py(code):
    """A --host-cmd that runs @code with python3 in the namespace."""
    return f"{PY} -c {repr_sh(textwrap.dedent(code))}"


def repr_sh(s):
    return "'" + s.replace("'", "'\"'\"'") + "'"


@pytest.mark.parametrize("smp", [1, 2])
def test_ping_small_and_fragmented(smp):
    need("ready")
    cmd = ("ping -q -c 5 -i 0.2 -W 2 $GUEST_IP && "
           "ping -q -c 3 -i 0.2 -W 2 -s 4000 $GUEST_IP && "   # reassembled, answered in fragments
           "ping -q -c 3 -i 0.2 -W 2 -s 1472 $GUEST_IP")        # a full-MTU frame
    proc = run("--image", "ready", "--smp", smp, "--net", "tap", "--host-cmd", cmd,
               "--", "app=60", timeout=90)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout.count(" 0% packet loss") == 3, describe(proc)


def test_udp_echo_and_port_unreachable():
    need("udp_echo")
    code = """
        import os, socket, random
        g = os.environ["GUEST_IP"]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        rnd = random.Random(7)
        for size in [0, 1, 100, 1000, 1472]:
            data = bytes(rnd.randrange(256) for _ in range(size))
            s.sendto(data, (g, 7))
            got, peer = s.recvfrom(65536)
            assert got == data and peer == (g, 7), (size, len(got), peer)
        big = b"x" * 3000          # arrives in fragments; the echo may not fit one frame
        s.sendto(big, (g, 7))
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(3)
        c.connect((g, 9))          # no socket there: ICMP port unreachable
        c.send(b"anyone?")
        try:
            c.recv(100)
            raise SystemExit("expected ECONNREFUSED")
        except ConnectionRefusedError:
            pass
        print("udp checks passed")
    """
    proc = run("--image", "udp_echo", "--smp", 2, "--net", "tap", "--host-cmd", host_py(code),
               timeout=90)
    assert proc.returncode == 0, describe(proc)
    assert "udp checks passed" in proc.stdout, describe(proc)


def test_garbage_frames_do_not_hurt():
    """Runts, bad IP headers and junk UDP from the host: the guest keeps answering."""
    need("ready")
    code = """
        import os, socket, random
        tap, g = os.environ["TAP"], os.environ["GUEST_IP"]
        r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        r.bind((tap, 0))
        mac = bytes.fromhex("525400123456")
        me = r.getsockname()[4]
        rnd = random.Random(1)
        frames = [mac + me + b"\\x08\\x00",                         # a runt: header only
                  mac + me + b"\\x08\\x00" + b"\\x45" + b"\\x00" * 5,   # truncated IP header
                  mac + me + b"\\x08\\x00" + b"\\x4f" + b"\\xff" * 30,  # IHL past the end
                  mac + me + b"\\x08\\x06" + b"\\x00" * 10]             # truncated ARP
        frames += [mac + me + b"\\x08\\x00" + bytes(rnd.randrange(256) for _ in range(rnd.randrange(20, 200)))
                   for _ in range(300)]
        for f in frames:
            r.send(f.ljust(14, b"\\0"))
        print("sent", len(frames))
    """
    cmd = host_py(code) + " && ping -q -c 3 -i 0.2 -W 2 $GUEST_IP"
    proc = run("--image", "ready", "--smp", 2, "--net", "tap", "--host-cmd", cmd, "--", "app=60",
               timeout=90)
    assert proc.returncode == 0, describe(proc)
    assert " 0% packet loss" in proc.stdout, describe(proc)


def last_netstat(out):
    """The last complete `netstat=` block of the console, as a list of lines."""
    blocks = out.split("netstat: begin")
    for block in reversed(blocks[1:]):
        if "netstat: end" in block:
            return block.split("netstat: end")[0].splitlines()
    return []


def queue_counters(block):
    """{queue: (cpu, rx packets, napi polls off their CPU)} from virtio-net's lines."""
    import re
    found = {}
    for line in block:
        m = re.search(r"virtio-net q(\d+) cpu(\d+): rx (\d+) pkts .* napi \d+ polls \((\d+) off-cpu\)", line)
        if m:
            q, cpu, rx, off = map(int, m.groups())
            found[q] = (cpu, rx, off)
    return found


FLOWS = """
    import os, socket, time
    g = os.environ["GUEST_IP"]
    for i in range(64):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 20000 + i))
        for _ in range(5):
            s.sendto(b"flow %d" % i, (g, 7))
    time.sleep(2.5)            # two netstat= printouts after the last packet
"""


@pytest.mark.parametrize("smp", [2, 4])
def test_flows_spread_over_queues_and_stay_on_their_cpu(smp):
    need("udp_echo")
    # ping first: datagrams sent before ARP resolves would wait in the host's
    # neighbour queue, which holds only a few and drops the rest
    cmd = "ping -q -c 1 -W 2 $GUEST_IP >/dev/null && " + host_py(FLOWS)
    proc = run("--image", "udp_echo", "--smp", smp, "--net", "tap", "--host-cmd", cmd,
               "--", "netstat=1", timeout=120)
    assert proc.returncode == 0, describe(proc)
    q = queue_counters(last_netstat(proc.stdout))
    assert sorted(q) == list(range(smp)), describe(proc)
    for queue, (cpu, rx, off) in q.items():
        assert cpu == queue, describe(proc)      # queue pair i belongs to CPU i
        assert off == 0, describe(proc)          # and is always polled there
    busy = [queue for queue, (_, rx, _) in q.items() if rx > 0]
    assert len(busy) >= 2, describe(proc)        # 64 flows do not all hash to one queue
    assert sum(rx for _, rx, _ in q.values()) >= 320, describe(proc)   # every datagram arrived


def test_rxsteer_cpu0_puts_every_flow_on_cpu0():
    # The experiments' single-queue switch: one pair on CPU 0 although the
    # device offers two, and every datagram still arrives.
    need("udp_echo")
    cmd = "ping -q -c 1 -W 2 $GUEST_IP >/dev/null && " + host_py(FLOWS)
    proc = run("--image", "udp_echo", "--smp", 2, "--net", "tap", "--host-cmd", cmd,
               "--", "netstat=1", "rxsteer=cpu0", timeout=120)
    assert proc.returncode == 0, describe(proc)
    assert "1 queue pairs (device max 2, 2 CPUs)" in proc.stdout, describe(proc)
    q = queue_counters(last_netstat(proc.stdout))
    assert list(q) == [0], describe(proc)
    cpu, rx, off = q[0]
    assert cpu == 0 and off == 0 and rx >= 320, describe(proc)


MALFORMED = """
    import os, time
    from scapy.all import Ether, IP, UDP, ICMP, ARP, Raw, sendp, fragment, conf
    conf.verb = 0
    tap, g, h = os.environ["TAP"], os.environ["GUEST_IP"], os.environ["HOST_IP"]
    eth = Ether(dst="52:54:00:12:34:56")
    ok = IP(src=h, dst=g) / ICMP() / Raw(b"x" * 32)
    bad = []
    bad.append(eth / IP(src=h, dst=g, chksum=0x1234) / ICMP())            # header checksum
    bad.append(eth / IP(src=h, dst=g, ihl=4) / ICMP())                    # IHL < 5
    bad.append(eth / IP(src=h, dst=g, len=200) / ICMP())                  # longer than the frame
    bad.append(eth / IP(src=h, dst=g, len=10) / ICMP())                   # shorter than its header
    bad.append(eth / IP(src=h, dst=g, version=6) / ICMP())                # not IPv4
    bad.append(eth / IP(src="127.0.0.1", dst=g) / ICMP())                 # martian source
    f = fragment(IP(src=h, dst=g, id=4242) / UDP(dport=7) / Raw(b"A" * 3000), fragsize=1000)
    bad += [eth / x for x in f[:-1]]                                       # never completes
    o1 = IP(src=h, dst=g, id=777, flags="MF", frag=0, proto=17) / Raw(b"B" * 64)
    o2 = IP(src=h, dst=g, id=777, flags="MF", frag=4, proto=17) / Raw(b"C" * 64)  # overlaps o1
    o3 = IP(src=h, dst=g, id=777, frag=12, proto=17) / Raw(b"D" * 8)
    bad += [eth / o1, eth / o2, eth / o3]
    bad += [Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.77.0.%d" % (i % 250 + 3),
            hwsrc="02:00:00:00:%02x:%02x" % (i // 256, i % 256), pdst="10.77.0.99")
            for i in range(2000)]                                          # an ARP flood
    sendp(bad, iface=tap)
    time.sleep(2.5)
"""


def test_malformed_input_is_dropped_and_counted():
    need("ready")
    cmd = host_py(MALFORMED) + " && ping -q -c 3 -i 0.2 -W 2 $GUEST_IP"
    proc = run("--image", "ready", "--smp", 2, "--net", "tap", "--host-cmd", cmd,
               "--", "app=120", "netstat=1", timeout=180)
    assert proc.returncode == 0, describe(proc)
    assert " 0% packet loss" in proc.stdout, describe(proc)   # still answering
    block = "\n".join(last_netstat(proc.stdout))
    import re

    def drops(reason):
        m = re.search(rf"netstat drop {reason}: (\d+)", block)
        return int(m.group(1)) if m else 0

    assert drops("IP_CSUM") >= 1, describe(proc)
    assert drops("IP_MARTIAN") >= 1, describe(proc)
    assert drops("IP_FRAG") >= 1, describe(proc)     # the overlap (the stuck one times out later)
    m = re.search(r"InHdrErrors (\d+)", block)
    assert m and int(m.group(1)) >= 5, describe(proc)   # checksum, IHL, both lengths, version
    m = re.search(r"ReasmFails (\d+)", block)
    assert m and int(m.group(1)) >= 1, describe(proc)


EPOLL_HOST = """
    import os, socket, time
    g = os.environ["GUEST_IP"]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"ping", (g, 5555))
    time.sleep(0.5)             # the listener's wakeup comes second, on its own
    t = socket.create_connection((g, 5555), timeout=10)
    t.sendall(b"hello")
    t.shutdown(socket.SHUT_WR)  # the guest sees EPOLLRDHUP
    got = b""
    while True:
        d = t.recv(4096)
        if not d:
            break
        got += d
    print("guest says:", got.decode(errors="replace").strip())
    assert got.endswith(b" 0 failed\\n"), got
"""


def test_epoll_wakes_on_datagram_and_connection():
    """tests/apps/test_epoll.c app=net: EPOLLIN on UDP and on a TCP listener, RDHUP, OUT."""
    need("test_epoll")
    cmd = "ping -q -c 1 -W 2 $GUEST_IP >/dev/null && " + host_py(EPOLL_HOST)
    proc = run("--image", "test_epoll", "--smp", 2, "--net", "tap", "--host-cmd", cmd,
               "--", "app=net", timeout=90)
    assert proc.returncode == 0, describe(proc)
    assert "guest says: " in proc.stdout, describe(proc)
    import re
    m = re.search(r"^(\d+) passed, (\d+) failed", proc.stdout, re.M)
    assert m and int(m.group(1)) >= 8 and m.group(2) == "0", describe(proc)
