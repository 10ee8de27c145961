"""Apps in ring 3: the runtime's tests, the system-call ABI and fault containment.

Each tests/apps/test_*.c is built twice over the same runtime and newlib: as
an image that Squall boots (build/images/test_X.elf), and as the very ELF
the image embeds, which also runs natively on this Linux host because the
ABI is Linux's. Both must report "N passed, 0 failed" the same way.
"""

import re
import subprocess
from pathlib import Path

import pytest

from conftest import IMAGES, ROOT, console_has, describe, run

APP_TESTS = sorted(p.stem for p in (ROOT / "tests" / "apps").glob("test_*.c"))
APPS = ROOT / "build" / "apps"


def summary(out):
    """The runtime tests' last word: (passed, failed), or None."""
    found = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    return tuple(int(x) for x in found[-1]) if found else None


def need_image(name):
    if not (IMAGES / f"{name}.elf").exists():
        pytest.skip(f"build/images/{name}.elf not built (make images)")


@pytest.mark.parametrize("name", APP_TESTS)
def test_runtime_test_in_squall(name):
    need_image(name)
    proc = run("--image", name, "--smp", 2, timeout=90)
    assert proc.returncode == 0, describe(proc)
    result = summary(proc.stdout)
    assert result and result[0] > 0 and result[1] == 0, describe(proc)
    assert console_has(proc.stdout, "app: exited with status 0"), describe(proc)


@pytest.mark.parametrize("name", APP_TESTS)
def test_runtime_test_on_linux_host(name):
    exe = APPS / f"{name}.elf"
    if not exe.exists():
        pytest.skip(f"{exe} not built (make images)")
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = summary(proc.stdout)
    assert result and result[0] > 0 and result[1] == 0, proc.stdout


def test_sysabi_on_one_cpu():
    need_image("test_sysabi")
    proc = run("--image", "test_sysabi", "--smp", 1)
    assert proc.returncode == 0 and summary(proc.stdout)[1] == 0, describe(proc)


def test_hello_pins_a_thread_to_every_cpu():
    need_image("hello")
    proc = run("--image", "hello", "--smp", 4, timeout=90)
    assert proc.returncode == 0, describe(proc)
    for cpu in range(4):
        assert f"pinned to CPU {cpu}: running on CPU {cpu}" in proc.stdout, describe(proc)
    assert "4 threads joined, 0 on the wrong CPU" in proc.stdout, describe(proc)


@pytest.mark.parametrize("how,function,what", [
    ("null", "crash_null_deref", r"fault address 0 \(page not present, read\)"),
    ("kernel", "crash_kernel_write",
     r"fault address 0x100000 \(protection violation: not app memory, write\)"),
])
def test_app_fault_is_reported_and_contained(how, function, what):
    need_image("crash")
    proc = run("--image", "crash", "--smp", 2, "--", f"app={how}")
    assert proc.returncode == 102, describe(proc)
    out = proc.stdout
    assert re.search(rf"app: thread \d+ \(cpu\d\) killed by #PF page fault at rip 0x[0-9a-f]+ "
                     rf"{function}", out), describe(proc)
    assert console_has(out, r"\s*" + what), describe(proc)
    assert console_has(out, "app backtrace:"), describe(proc)
    assert console_has(out, "squall: power off, status 102"), describe(proc)
