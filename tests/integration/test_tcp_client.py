"""The guest as a TCP client: tests/apps/tcp_client connects to a server on
the host side of the namespace (scripts/run --net tap), many times and from
several threads, each connection on a port of its own that connect() chose
(inet_hash_connect). Needs root.
"""

import os
import shlex
import textwrap

import pytest

from conftest import describe, need, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

PY = "/usr/bin/python3"

# An echo server in the namespace that counts connections and the guest's
# source ports, and exits once it has served TOTAL (or after 60 s).
SERVER = """
import os, socket, sys, threading, time
total = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((os.environ["HOST_IP"], 9000))
srv.listen(256)
srv.settimeout(1)
ports, lock, done = set(), threading.Lock(), [0]
def serve(c, addr):
    with c:
        c.settimeout(10)
        data = b""
        while not data.endswith(b"\\n"):
            b = c.recv(100)
            if not b:
                break
            data += b
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)                           # wait for the guest's close
    with lock:
        ports.add(addr[1]); done[0] += 1
deadline = time.time() + 60
while done[0] < total and time.time() < deadline:
    try:
        c, addr = srv.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c, addr), daemon=True).start()
time.sleep(1)                               # the guest prints its summary
print("SERVED", done[0], "PORTS", len(ports), flush=True)
"""


@pytest.mark.parametrize("smp, threads, conns", [(1, 1, 200), (2, 4, 100)])
def test_guest_connects_to_the_host_many_times(smp, threads, conns):
    need("tcp_client")
    total = threads * conns
    cmd = f"{PY} -c {shlex.quote(textwrap.dedent(SERVER))} {total}"
    proc = run("--image", "tcp_client", "--smp", smp, "--net", "tap", "--host-cmd", cmd,
               "--", "app=10.77.0.1", "app=9000", f"app={threads}", f"app={conns}",
               timeout=120)
    assert proc.returncode == 0, describe(proc)
    assert f"CLIENT ok {total} failed 0" in proc.stdout, describe(proc)
    assert f"SERVED {total} PORTS" in proc.stdout, describe(proc)


def test_bad_arguments():
    need("tcp_client")
    proc = run("--image", "tcp_client", "--", "app=10.77.0.1", "app=0", "app=1", "app=1",
               timeout=60)
    assert "usage: tcp_client" in proc.stdout + proc.stderr, describe(proc)
