"""The guest on the network: ARP, IPv4, ICMP and UDP seen from the host.

Each test boots an image with `scripts/run --net tap` (a private namespace
with a tap; the guest is 10.77.0.2, the host side 10.77.0.1) and runs its
checks as the --host-cmd, inside that namespace. Needs root.
"""

import os
import textwrap

import pytest

from conftest import IMAGES, describe, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

PY = "/usr/bin/python3"


def need(image):
    if not (IMAGES / f"{image}.elf").exists():
        pytest.skip(f"build/images/{image}.elf not built (make images)")


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
