"""SO_REUSEPORT groups in the guest: tests/apps/reuseport_echo on 2 vCPUs.

Each vCPU has a worker pinned to it with its own SO_REUSEPORT listener on
port 7. The host script (inside the test namespace, via --host-cmd) opens
many connections from different source ports; each gets back the line
"worker W cpu C" of the member that accepted it. With reuseport=hash (the
default) the flows' hashes spread them, so both listeners must get some.
With reuseport=cpu the member is the one on the CPU that received the SYN;
which CPU that is depends on the tap's queue choice, so only "every
connection served by a worker on its own CPU" is checked. Skips when not
root or when the image is not built.
"""

import os
import textwrap

import pytest

from conftest import IMAGES, describe, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

CLIENT = """
import os, socket, sys, time
G = os.environ["GUEST_IP"]
count = {}
for i in range(40):
    for attempt in range(50):
        try:
            s = socket.create_connection((G, 7), timeout=10)
            break
        except OSError:
            time.sleep(0.1)
    s.sendall(b"hi")
    line = b""
    while not line.endswith(b"\\n"):
        b = s.recv(100)
        assert b, ("EOF after", line)
        line += b
    s.close()
    _, w, _, cpu = line.decode().split()
    assert w == cpu, ("worker not on its own CPU", line)
    count[int(w)] = count.get(int(w), 0) + 1
print("COUNTS", sorted(count.items()))
assert sum(count.values()) == 40, count
if MUST_SPREAD:
    assert len(count) == 2 and min(count.values()) >= 1, count
print("PASS")
"""


@pytest.mark.parametrize("mode", ["hash", "cpu"])
def test_two_listeners_share_port_7(mode):
    if not (IMAGES / "reuseport_echo.elf").exists():
        pytest.skip("build/images/reuseport_echo.elf not built (make images)")
    src = f"MUST_SPREAD = {mode == 'hash'}\n" + textwrap.dedent(CLIENT)
    cmd = "/usr/bin/python3 -c '" + src.replace("'", "'\"'\"'") + "'"
    proc = run("--image", "reuseport_echo", "--smp", 2, "--net", "tap", "--timeout", 90,
               "--host-cmd", cmd, "--", f"reuseport={mode}", timeout=120)
    assert proc.returncode == 0, describe(proc)
    assert "READY reuseport_echo port=7 workers=2" in proc.stdout, describe(proc)
    assert "PASS" in proc.stdout, describe(proc)
