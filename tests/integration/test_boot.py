"""Boot the base image through scripts/run and check the console contract.

The kernel prints every line after a printk prefix ("[    0.012345 c0] "),
runs the selftests named by selftest=, and powers off with their status
(kernel/power.h). The base image's default command line is selftest=all.
"""

import os
import re
import subprocess
import time

import pytest

import conftest
from conftest import CORE_SELFTESTS, RUN, console_has, describe, pid_alive, qemu_children


def run(*args, **kw):
    """scripts/run on the base image (the main image is stormd)."""
    return conftest.run("--image", "base", *args, **kw)


def assert_all_selftests_passed(proc, boot_path):
    assert proc.returncode == 0, describe(proc)
    out = proc.stdout
    assert console_has(out, f"squall: booted via {boot_path}"), describe(proc)
    assert console_has(out, r".*\b\d+ MiB usable"), describe(proc)
    ran = re.findall(r"selftest (\w+): (OK|FAIL)", out)
    assert ran and all(r == "OK" for _, r in ran), describe(proc)
    for name in CORE_SELFTESTS:
        assert (name, "OK") in ran, describe(proc)
    assert console_has(out, rf"selftest: {len(ran)} passed, 0 failed"), describe(proc)
    assert console_has(out, "squall: power off, status 0"), describe(proc)


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_selftest_all_direct(base_elf, smp):
    proc = run("--smp", smp, "--", "selftest=all")
    assert_all_selftests_passed(proc, "pvh")


def test_default_cmdline_runs_all_selftests(base_elf):
    assert_all_selftests_passed(run(), "pvh")


def test_selftest_all_efi(base_img):
    proc = run("--efi", "--timeout", 90, "--", "selftest=all")
    assert_all_selftests_passed(proc, "efi")


def test_fault_null_panics_with_backtrace(base_elf):
    proc = run("--", "selftest=fault_null")
    assert proc.returncode == 100, describe(proc)
    out = proc.stdout
    assert "PANIC" in out and "page fault" in out, describe(proc)
    after = out[out.index("backtrace:"):] if "backtrace:" in out else ""
    assert console_has(out, "backtrace:"), describe(proc)
    assert "selftest_fault_null" in after, describe(proc)
    assert console_has(out, "squall: power off, status 100"), describe(proc)


@pytest.mark.parametrize("smp", [1, 2])
def test_selftests_with_a_virtio_nic(base_elf, smp):
    """With a NIC (--net tap) the virtio-net selftests run for real instead of skipping."""
    if os.geteuid() != 0:
        pytest.skip("--net tap needs root")
    proc = run("--smp", smp, "--net", "tap", "--", "selftest=all", timeout=90)
    assert_all_selftests_passed(proc, "pvh")
    assert console_has(proc.stdout, rf"virtio-net: MAC 52:54:00:12:34:56, {smp} queue pair"), \
        describe(proc)
    assert "SKIP: no virtio-net device" not in proc.stdout, describe(proc)


def test_kernel_stack_overflow_hits_the_guard_page(base_elf):
    proc = run("--smp", 2, "--", "selftest=stack_overflow")
    assert proc.returncode == 100, describe(proc)
    assert console_has(proc.stdout, r"PANIC cpu\d: #DF double fault"), describe(proc)


def test_seabios_pvh_boot(base_elf):
    """QEMU's default firmware (SeaBIOS) may put the PVH start info in page 0."""
    cmd = ["timeout", "60", "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
           "-cpu", "max", "-m", "256", "-nodefaults", "-display", "none", "-no-reboot",
           "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-kernel", str(base_elf), "-append", "selftest=cmdline,trap"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 33, describe(proc)     # guest status 0
    assert console_has(proc.stdout, "selftest: 2 passed, 0 failed"), describe(proc)


def test_unknown_option_is_reported_and_ignored(base_elf):
    proc = run("--", "selftest=cmdline", "bogus=1")
    assert proc.returncode == 0, describe(proc)
    assert console_has(proc.stdout, r"cmdline: unknown option 'bogus=1' \(ignored\)"), \
        describe(proc)
    assert console_has(proc.stdout, "selftest cmdline: OK"), describe(proc)


def test_unknown_selftest_name(base_elf):
    proc = run("--", "selftest=nosuch")
    assert proc.returncode == 2, describe(proc)
    assert console_has(proc.stdout, "selftest: no test named 'nosuch'"), describe(proc)


def test_timeout_stops_a_hung_guest(base_elf):
    cmd = [str(RUN), "--image", "base", "--timeout", "3", "--", "selftest=hang"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    qemu = []
    deadline = time.monotonic() + 3
    while not qemu and proc.poll() is None and time.monotonic() < deadline:
        qemu = qemu_children(proc.pid)
        time.sleep(0.02)
    out, err = proc.communicate(timeout=30)
    described = f"exit {proc.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"
    assert qemu, "no QEMU child seen\n" + described
    assert proc.returncode == 124, described
    assert "scripts/run: timeout: guest still running after 3 s, stopped" in err, described
    assert not any(pid_alive(pid) for pid in qemu), described
