"""scripts/run without a real guest: usage errors, --dry-run, exit mapping.

These use a copy of scripts/run in a throw-away tree (fake_repo) and, where a
process must run, a fake qemu-system-x86_64 on PATH, so they need no build
and take a few seconds in all.
"""

import os
import shlex
import shutil
import subprocess
import time

import pytest

from conftest import describe, pid_alive, run

USAGE = "usage: scripts/run"


def run_in(repo, *args, **kw):
    return run(*args, run_script=repo / "scripts" / "run", **kw)


def dry_run_command(repo, *args):
    """The QEMU argv that --dry-run prints."""
    proc = run_in(repo, "--dry-run", *args)
    assert proc.returncode == 0, describe(proc)
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, describe(proc)
    return shlex.split(lines[0])


def follows(argv, option, value):
    """True if argv has `option value`."""
    return any(a == option and b == value for a, b in zip(argv, argv[1:]))


@pytest.mark.parametrize("args", [
    ["--smp", "0"], ["--smp", "65"], ["--smp", "two"], ["--smp", "1.5"],
    ["--mem", "63"], ["--mem", "16385"], ["--mem", "lots"],
    ["--timeout", "0"], ["--timeout", "-1"], ["--timeout", "soon"],
    ["--timeout", "nan"], ["--accel", "bogus"], ["--net", "bogus"],
    ["--gdb", "0"], ["--bogus"], ["--smp"], ["stray-word"],
    ["--", "a=1\nb=2"], ["--", "a=1 b=2"], ["--", ""],
])
def test_usage_errors_exit_2_with_usage(fake_repo, args):
    proc = run_in(fake_repo, "--dry-run", *args)
    assert proc.returncode == 2, describe(proc)
    assert proc.stdout == ""
    first = proc.stderr.splitlines()[0]
    assert first.startswith("scripts/run: ") and USAGE in proc.stderr, describe(proc)


@pytest.mark.parametrize("efi, path", [(False, "stormd.elf"), (True, "stormd.img")])
def test_missing_image(fake_repo, efi, path):
    (fake_repo / "build" / "images" / path).unlink()
    proc = run_in(fake_repo, *(["--efi"] if efi else []))
    assert proc.returncode == 2, describe(proc)
    want = f"scripts/run: build/images/{path} not found; build it with 'make images'"
    assert want in proc.stderr.splitlines(), describe(proc)


def test_unknown_image_name(fake_repo):
    proc = run_in(fake_repo, "--image", "nosuch", "--dry-run")
    assert proc.returncode == 2 and "build/images/nosuch.elf not found" in proc.stderr


def hardware_kvm():
    return os.access("/dev/kvm", os.R_OK | os.W_OK) and any(
        os.path.exists(f"/sys/module/{m}") for m in ("kvm_intel", "kvm_amd"))


def test_accel_line_names_choice_and_reason(fake_repo):
    proc = run_in(fake_repo, "--dry-run")
    line = [l for l in proc.stderr.splitlines() if l.startswith("scripts/run: accel ")]
    assert len(line) == 1, describe(proc)
    want = "accel kvm" if hardware_kvm() else "accel tcg (multi-threaded); "
    assert want in line[0]


@pytest.mark.skipif(hardware_kvm(), reason="this host has hardware KVM")
def test_accel_kvm_refused_without_hardware_kvm(fake_repo):
    proc = run_in(fake_repo, "--accel", "kvm", "--dry-run")
    assert proc.returncode == 2, describe(proc)
    assert "scripts/run: --accel kvm: " in proc.stderr and "tcg" in proc.stderr


def test_dry_run_direct_boot(fake_repo):
    argv = dry_run_command(fake_repo, "--accel", "tcg", "--smp", "2", "--mem", "512",
                           "--", "selftest=string", "bogus=1")
    elf = str(fake_repo / "build" / "images" / "stormd.elf")   # the main image
    assert argv[0] == "qemu-system-x86_64"
    assert follows(argv, "-bios", "/usr/share/qemu/qboot.rom")
    assert follows(argv, "-kernel", elf)
    assert follows(argv, "-append", "selftest=string bogus=1")
    assert follows(argv, "-smp", "2") and follows(argv, "-m", "512")
    assert follows(argv, "-accel", "tcg,thread=multi")
    assert follows(argv, "-device", "isa-debug-exit,iobase=0xf4,iosize=4")
    assert "-no-reboot" in argv and "-nodefaults" in argv
    assert "-gdb" not in argv and "-S" not in argv


def test_dry_run_defaults_leave_the_images_cmdline(fake_repo):
    argv = dry_run_command(fake_repo)
    assert "-append" not in argv
    assert follows(argv, "-smp", "1") and follows(argv, "-m", "256")


def test_dry_run_efi(fake_repo):
    argv = dry_run_command(fake_repo, "--efi", "--", "selftest=all")
    img = str(fake_repo / "build" / "images" / "stormd.img")
    assert follows(argv, "-bios", "/usr/share/ovmf/OVMF.fd")
    assert follows(argv, "-drive", f"if=ide,format=raw,file={img}")
    assert "-kernel" not in argv and "-append" not in argv


def test_dry_run_gdb(fake_repo):
    argv = dry_run_command(fake_repo, "--gdb", "1234")
    assert follows(argv, "-gdb", "tcp:127.0.0.1:1234") and "-S" in argv


# --- exit status mapping, with a fake QEMU ---------------------------------

@pytest.mark.parametrize("qemu_rc, status, message", [
    (33, 0, None), (39, 3, None), (233, 100, None),
    (0, 126, "scripts/run: guest reset (triple fault?) without powering off"),
    (1, 125, "scripts/run: qemu exited with status 1"),
    (34, 125, "scripts/run: qemu exited with status 34"),
])
def test_exit_status_mapping(fake_repo, fake_qemu, qemu_rc, status, message):
    env = fake_qemu(f"echo console line 1\nprintf 'no newline'\nexit {qemu_rc}")
    proc = run_in(fake_repo, env=env)
    assert proc.returncode == status, describe(proc)
    assert proc.stdout == "console line 1\nno newline"
    if message:
        assert message in proc.stderr.splitlines(), describe(proc)


def test_timeout_kills_a_qemu_that_ignores_sigterm(fake_repo, fake_qemu, tmp_path):
    pidfile = tmp_path / "qemu.pid"
    env = fake_qemu(f"echo $$ > {pidfile}\ntrap '' TERM\nwhile :; do sleep 0.1; done")
    start = time.monotonic()
    proc = run_in(fake_repo, "--timeout", "1", env=env)
    took = time.monotonic() - start
    assert proc.returncode == 124, describe(proc)
    want = "scripts/run: timeout: guest still running after 1 s, stopped"
    assert want in proc.stderr.splitlines(), describe(proc)
    assert 1 + 2 <= took < 10, "SIGTERM, a 2 s grace, then SIGKILL"
    assert not pid_alive(int(pidfile.read_text()))


def test_sigterm_stops_qemu_and_exits_143(fake_repo, fake_qemu, tmp_path):
    pidfile = tmp_path / "qemu.pid"
    env = fake_qemu(f"echo $$ > {pidfile}\nwhile :; do sleep 0.1; done")
    run_cmd = [str(fake_repo / "scripts" / "run"), "--timeout", "30"]
    proc = subprocess.Popen(run_cmd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143, err
    assert not pid_alive(int(pidfile.read_text()))


@pytest.mark.skipif(not shutil.which("mformat"), reason="mtools not installed")
def test_efi_args_go_into_a_temporary_copy(fake_repo, fake_qemu, tmp_path):
    img = fake_repo / "build" / "images" / "stormd.img"
    subprocess.run(["dd", "if=/dev/zero", f"of={img}", "bs=1M", "count=2", "status=none"],
                   check=True)
    subprocess.run(["mformat", "-i", img, "::"], check=True)
    subprocess.run(["mmd", "-i", img, "::/squall"], check=True)
    before = img.read_bytes()
    env = fake_qemu('for a; do case "$a" in if=ide,*) f=${a#*file=};; esac; done\n'
                    'echo "drive=$f"\nmtype -i "$f" ::/squall/cmdline\nexit 33')
    env["TMPDIR"] = str(tmp_path)
    proc = run_in(fake_repo, "--efi", "--", "selftest=all", "bogus=1", env=env)
    assert proc.returncode == 0, describe(proc)
    drive, cmdline = proc.stdout.splitlines()
    assert drive != f"drive={img}" and cmdline == "selftest=all bogus=1"
    assert img.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("squall-run-")]


def test_kernel_and_initrd_options(fake_repo, tmp_path):
    kernel, initrd = tmp_path / "vmlinux", tmp_path / "initrd.cpio"
    kernel.write_bytes(b"\x7fELF")
    initrd.write_bytes(b"070701")
    proc = run_in(fake_repo, "--dry-run", "--kernel", kernel, "--initrd", initrd, "--", "quiet")
    assert proc.returncode == 0, describe(proc)
    assert f"-kernel {kernel}" in proc.stdout and f"-initrd {initrd}" in proc.stdout, describe(proc)
    for bad in (["--initrd", initrd], ["--kernel", tmp_path / "nope"],
                ["--kernel", kernel, "--efi"]):
        proc = run_in(fake_repo, *bad)
        assert proc.returncode == 2, describe(proc)
