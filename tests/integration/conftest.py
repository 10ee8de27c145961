"""Shared helpers for the integration tests: boot images through scripts/run.

Run with `/usr/bin/python3 -m pytest tests/integration -q` (after `make images`;
the boot tests skip themselves when build/images/base.elf is missing).

- run(*args): scripts/run with a guard timeout, output captured as text.
- need(image): skip unless build/images/IMAGE.elf is built.
- console_has(out, message): a kernel console line with that message, after
  the printk prefix "[    0.012345 c0] ".
- base_elf / base_img: fixtures that skip a test when the image is not built.
- fake_repo: a throw-away tree holding a copy of scripts/run (and the
  scripts/netns.py it imports) and empty images,
  for tests of the command line that must not depend on a build.
- qemu_children(pid), qemu_pids_running(...), pid_alive(pid), listening(port):
  process and socket checks.
- netns_exists(name): whether `ip netns list` shows that namespace.
"""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "scripts" / "run"
IMAGES = ROOT / "build" / "images"
PRINTK_PREFIX = r"\[\s*\d+\.\d+ c\d+\] "
GUARD = 20                      # seconds on top of scripts/run's own --timeout

# Selftests that must be among those `selftest=all` runs: one or two per
# area. The full list is the kernel's (tests/guest); the boot tests check
# that every test it ran passed and that the summary counts them all.
CORE_SELFTESTS = ("newlib", "page_alloc", "heap", "trap", "backtrace",
                  "smp_online", "smp_lock_sum", "smp_timers")


def run(*args, run_script=RUN, timeout=60, env=None):
    """scripts/run ARGS, with --timeout TIMEOUT unless ARGS set one."""
    args = [str(a) for a in args]
    if "--timeout" not in args:
        args = ["--timeout", str(timeout)] + args
    guard = timeout + GUARD
    if "--timeout" in args[:-1]:
        try:
            guard = max(guard, float(args[args.index("--timeout") + 1]) + GUARD)
        except ValueError:
            pass                    # a test of a malformed --timeout
    return subprocess.run([str(run_script), *args], capture_output=True, text=True,
                          errors="replace", stdin=subprocess.DEVNULL, timeout=guard,
                          env=env)


def need(image):
    """Skip the test when build/images/IMAGE.elf is not built."""
    if not (IMAGES / f"{image}.elf").exists():
        pytest.skip(f"build/images/{image}.elf not built (make images)")


def console_has(out, message):
    """True if a console line shows the regex `message` right after a printk prefix."""
    return re.search(PRINTK_PREFIX + message, out) is not None


def describe(proc):
    """Everything a failed assertion should show."""
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def qemu_children(pid):
    """PIDs of the QEMU processes whose parent is pid."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        ppid = int(text[text.rindex(")") + 2:].split()[1])
        if ppid == pid and comm.startswith("qemu-system"):
            found.append(int(stat.parent.name))
    return found


def qemu_pids_running(*words):
    """PIDs of live QEMU processes whose command line has all of words."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        pid = int(cmdline.parent.name)
        if (Path(argv[0]).name.startswith("qemu-system") and pid_alive(pid)
                and all(w in argv for w in words)):
            found.append(pid)
    return found


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """True if a socket listens on 127.0.0.1:port, checked without connecting."""
    want = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(l.split()[1] == want and l.split()[3] == "0A" for l in lines)


def netns_exists(name):
    """True if `ip netns list` names the network namespace `name`."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=10).stdout
    return name in (line.split()[0] for line in out.splitlines() if line.strip())


def _image(suffix):
    path = IMAGES / f"base{suffix}"
    if not path.is_file():
        pytest.skip(f"{path.relative_to(ROOT)} is not built (run 'make images')")
    return path


@pytest.fixture
def base_elf():
    return _image(".elf")


@pytest.fixture
def base_img():
    return _image(".img")


@pytest.fixture
def fake_repo(tmp_path):
    """A tree with scripts/run, scripts/netns.py and empty build/images/{base,stormd}.{elf,img}.

    scripts/run finds images relative to its own directory, so a copy of it
    here boots (or dry-runs) only what the test puts here.
    """
    (tmp_path / "scripts").mkdir()
    shutil.copy2(RUN, tmp_path / "scripts" / "run")
    shutil.copy2(RUN.parent / "netns.py", tmp_path / "scripts" / "netns.py")
    images = tmp_path / "build" / "images"
    images.mkdir(parents=True)
    for name in ("base", "stormd"):         # stormd: scripts/run's main image
        (images / f"{name}.elf").write_bytes(b"")
        (images / f"{name}.img").write_bytes(b"")
    return tmp_path


@pytest.fixture
def fake_qemu(tmp_path):
    """install(sh_body) writes a fake qemu-system-x86_64 and returns an
    environment with it first on PATH, for scripts/run's env."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()

    def install(body):
        qemu = bindir / "qemu-system-x86_64"
        qemu.write_text("#!/bin/sh\n" + body + "\n")
        qemu.chmod(0o755)
        return dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    return install
