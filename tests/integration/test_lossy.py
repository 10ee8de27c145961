"""TCP through loss, duplication, reordering and delay (scripts/lossy-relay).

The host kernel has no sch_netem, so the impairment is the user-space relay:
each test boots the echo image with `--net tap` and runs the relay as the
--host-cmd; the client behind it checks every byte the guest echoes. The
relay's generator is seeded, so a failure repeats with the same drops.
"""

import os
import shlex
import subprocess
import textwrap

import pytest

from conftest import ROOT, describe, need, run

RELAY = ROOT / "scripts" / "lossy-relay"
PY = "/usr/bin/python3"

# Echo N bytes on each of C concurrent connections (writer and reader
# threads, so a full window never deadlocks), and compare byte for byte.
CLIENT = """
import os, socket, sys, threading
g = os.environ["GUEST_IP"]
def echo(n, seed):
    data = bytes((i * 7 + seed) & 255 for i in range(n))
    s = socket.create_connection((g, 7), timeout=60)
    got = bytearray()
    def reader():
        while True:
            b = s.recv(65536)
            if not b:
                return
            got.extend(b)
    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(90)
    s.close()
    return bytes(got) == data, len(got)
for n, c in ((300000, 1), (20000, 5)):
    res = [None] * c
    def one(i):
        try:
            res[i] = echo(n, i)
        except OSError as e:
            res[i] = (False, repr(e))
    ts = [threading.Thread(target=one, args=(i,)) for i in range(c)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("echo", n, "x", c, res, flush=True)
    if not all(r[0] for r in res):
        sys.exit(1)
print("ALL-EXACT", flush=True)
"""


def relay_cmd(args, client):
    return f"{RELAY} {args} -- {PY} -c {shlex.quote(textwrap.dedent(client))}"


@pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")
@pytest.mark.parametrize("smp", [1, 2])
def test_echo_is_byte_exact_through_loss_dup_reorder(smp):
    need("echo")
    cmd = relay_cmd("--loss 0.05 --dup 0.02 --reorder 0.05 --delay-ms 5 --timeout 150 "
                    f"--seed {smp}", CLIENT)
    proc = run("--image", "echo", "--smp", smp, "--net", "tap", "--host-cmd", cmd,
               timeout=200)
    assert proc.returncode == 0, describe(proc)
    assert "ALL-EXACT" in proc.stdout, describe(proc)
    counts = proc.stderr.split("lossy-relay: frames", 1)[1].split()
    dropped = int(counts[counts.index("dropped") + 1])
    assert dropped > 0, describe(proc)      # the run really lost frames


@pytest.mark.parametrize("args, why", [
    (["--loss", "1.5", "--", "true"], "not a probability"),
    (["--dup", "-0.1", "--", "true"], "not a probability"),
    (["--reorder", "x", "--", "true"], "not a number"),
    (["--delay-ms", "99999", "--", "true"], "not in 0..10000"),
    (["--timeout", "0", "--", "true"], "not in 1..3600"),
    (["--seed", "1.5", "--", "true"], "not a int"),
    (["--loss", "0.1"], "no CLIENT"),
])
def test_bad_arguments_are_refused(args, why):
    p = subprocess.run([str(RELAY), *args], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and why in p.stderr, (p.returncode, p.stderr)


def test_outside_a_run_it_says_how_to_use_it():
    env = {k: v for k, v in os.environ.items() if k not in ("TAP", "HOST_IP", "GUEST_IP")}
    p = subprocess.run([str(RELAY), "--", "true"], capture_output=True, text=True,
                       timeout=30, env=env)
    assert p.returncode == 2 and "--host-cmd" in p.stderr, p.stderr
