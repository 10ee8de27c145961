"""Debugging a guest: scripts/run --gdb halts it for gdb, and scripts/gdb
(what `make gdb` runs) connects gdb to it and cleans up afterwards.

Both stop in kmain with a hardware breakpoint, which works across the PVH
entry's switch from 32-bit to 64-bit mode, and check that gdb's backtrace
names kmain.
"""

import os
import re
import shlex
import signal
import subprocess
import time

from conftest import (RUN, ROOT, free_port, listening, pid_alive, qemu_children,
                      qemu_pids_running)

BREAK_AT_KMAIN = ["-ex", "hbreak kmain", "-ex", "continue", "-ex", "bt"]
FRAME0_KMAIN = re.compile(r"^#0\s+(0x[0-9a-f]+ in )?kmain\b", re.M)


def wait_listening(port, proc, seconds=15):
    deadline = time.monotonic() + seconds
    while not listening(port):
        assert proc.poll() is None, f"scripts/run exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"no gdb stub on port {port}"
        time.sleep(0.05)


def stop(proc):
    """End scripts/run if it still runs (it stops its QEMU)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


def test_run_gdb_halts_guest_for_gdb(base_elf, tmp_path):
    port = free_port()
    console = tmp_path / "console"
    with open(console, "wb") as out:
        run = subprocess.Popen([str(RUN), "--gdb", str(port), "--timeout", "60", "--",
                                "selftest=string"], stdin=subprocess.DEVNULL,
                               stdout=out, start_new_session=True)
    try:
        wait_listening(port, run)
        qemu = qemu_children(run.pid)
        time.sleep(0.3)             # a running guest would have printed by now
        halted = console.read_text() == ""
        gdb = subprocess.run(["gdb", "-nx", "-batch", str(base_elf),
                              "-ex", "set architecture i386:x86-64",
                              "-ex", f"target remote 127.0.0.1:{port}", *BREAK_AT_KMAIN],
                             capture_output=True, text=True, timeout=60)
    finally:
        stop(run)
    assert halted, "the guest ran before gdb attached:\n" + console.read_text()
    assert FRAME0_KMAIN.search(gdb.stdout), gdb.stdout + gdb.stderr
    assert qemu and not any(pid_alive(pid) for pid in qemu)


def test_scripts_gdb_breaks_in_kmain_and_cleans_up(base_elf):
    halted = ("-kernel", str(base_elf), "-S")
    before = set(qemu_pids_running(*halted))
    env = dict(os.environ, GDB_ARGS=shlex.join(["-nx", "-batch", *BREAK_AT_KMAIN]))
    gdb = subprocess.run([str(ROOT / "scripts" / "gdb"), "--image", "base", "--", "selftest=string"],
                         env=env, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60)
    assert gdb.returncode == 0, gdb.stdout + gdb.stderr
    assert FRAME0_KMAIN.search(gdb.stdout), gdb.stdout + gdb.stderr
    assert set(qemu_pids_running(*halted)) <= before, "a halted QEMU is left behind"
