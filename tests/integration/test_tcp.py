"""TCP against Linux's own TCP: the echo image (apps/echo) from the namespace.

Each test boots `echo` with `scripts/run --net tap` and runs a Python script
as the --host-cmd inside the test namespace (the guest is $GUEST_IP), so
the client is the host kernel's TCP: real handshakes, options, windows,
retransmissions and closes. Checked: small echoes, 10 MB checksummed in
both directions at once, many connections at once, the server closing
first (QUIT), the closed port 8 refusing (RST -> ECONNREFUSED), a bounded
SYN burst that all completes, and UDP echo on the same port. Skips when
not root or when the image is not built.
"""

import os
import textwrap

import pytest

from conftest import IMAGES, describe, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

PY = "/usr/bin/python3"

# Shared by every host script: connect with retries, echo one message.
PRELUDE = """
import hashlib, os, random, select, socket, sys, threading, time
G = os.environ["GUEST_IP"]

def conn(port=7, timeout=10):
    return socket.create_connection((G, port), timeout=timeout)

def echo_once(s, msg):
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        b = s.recv(65536)
        assert b, ("EOF after", len(got), "of", len(msg))
        got += b
    assert got == msg, (len(got), len(msg))
"""


def need(image):
    if not (IMAGES / f"{image}.elf").exists():
        pytest.skip(f"build/images/{image}.elf not built (make images)")


def host_py(code):
    """A --host-cmd that runs PRELUDE + @code with python3 in the namespace."""
    src = PRELUDE + textwrap.dedent(code)
    return f"{PY} -c " + "'" + src.replace("'", "'\"'\"'") + "'"


def echo_run(code, smp=2, timeout=90):
    need("echo")
    proc = run("--image", "echo", "--smp", smp, "--net", "tap", "--host-cmd", host_py(code),
               timeout=timeout)
    assert proc.returncode == 0, describe(proc)
    assert "PASS" in proc.stdout, describe(proc)
    return proc


def test_echo_small_quit_closed_port_udp():
    echo_run("""
        s = conn()
        for size in [1, 10, 100, 1460, 1461, 5000, 65536]:
            echo_once(s, os.urandom(size))
        # EOF from us: the server closes its side too.
        s.shutdown(socket.SHUT_WR)
        assert s.recv(10) == b""
        s.close()

        # QUIT: echoed, then the server closes first (FIN before ours).
        s = conn()
        s.sendall(b"QUIT please")
        got = b""
        while True:
            b = s.recv(100)
            if not b:
                break
            got += b
        assert got == b"QUIT please", got
        s.close()

        # Port 8 has no listener: RST, ECONNREFUSED.
        try:
            conn(8, timeout=5)
            sys.exit("port 8 accepted a connection")
        except ConnectionRefusedError:
            pass

        # UDP echo on the same port.
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(3)
        u.sendto(b"udp?", (G, 7))
        assert u.recvfrom(100)[0] == b"udp?"

        # Options Linux offered were taken: MSS 1460 with timestamps -> 1448 on the wire.
        s = conn()
        echo_once(s, b"x" * 3000)
        info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        opts = info[5]
        assert opts & 1 and opts & 4, ("timestamps and window scaling agreed", opts)
        s.close()
        print("PASS")
    """)


def test_large_transfer_both_ways_checksummed():
    echo_run("""
        N = 10 * 1024 * 1024
        data = random.Random(1).randbytes(N)
        s = conn(timeout=60)

        def sender():
            for off in range(0, N, 100000):
                s.sendall(data[off:off + 100000])
            s.shutdown(socket.SHUT_WR)

        t = threading.Thread(target=sender)
        t.start()
        h, got = hashlib.sha256(), 0
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            h.update(b)
            got += len(b)
        t.join()
        assert got == N, got
        assert h.digest() == hashlib.sha256(data).digest(), "corrupted stream"
        s.close()
        print("PASS")
    """, timeout=120)


def test_many_connections_at_once():
    echo_run("""
        socks = [conn(timeout=20) for _ in range(200)]
        msgs = [os.urandom(100 + i) for i in range(len(socks))]
        for s, m in zip(socks, msgs):          # all in flight before any is read
            s.sendall(m)
        for s, m in zip(socks, msgs):
            got = b""
            while len(got) < len(m):
                b = s.recv(4096)
                assert b
                got += b
            assert got == m
        for i, s in enumerate(socks):          # half close first, half quit
            if i % 2:
                s.sendall(b"QUIT")
            else:
                s.shutdown(socket.SHUT_WR)
        for i, s in enumerate(socks):
            rest = b""
            while True:
                b = s.recv(100)
                if not b:
                    break
                rest += b
            assert rest == (b"QUIT" if i % 2 else b""), rest
            s.close()
        # and the server still takes new ones
        s = conn()
        echo_once(s, b"still here")
        s.close()
        print("PASS")
    """, timeout=120)


def test_syn_burst_bounded_all_complete():
    echo_run("""
        # 300 non-blocking connects at once (bounded burst): each completes, none is lost.
        socks = []
        for _ in range(300):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((G, 7))
            socks.append(s)
        deadline = time.time() + 30
        pending = set(socks)
        while pending and time.time() < deadline:
            _, w, _ = select.select([], list(pending)[:500], [], 1)
            for s in w:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                assert err == 0, os.strerror(err)
                pending.discard(s)
        assert not pending, f"{len(pending)} connects never completed"
        for i, s in enumerate(socks[:20]):
            s.setblocking(True)
            s.settimeout(10)
            echo_once(s, b"burst %d" % i)
        for s in socks:
            s.close()
        s = conn()
        echo_once(s, b"after the burst")
        s.close()
        print("PASS")
    """, timeout=120)
