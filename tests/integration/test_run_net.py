"""scripts/run --net tap|user, --host-cmd, --pcap and --hostfwd.

The guest has no network stack yet, so these test the plumbing around it:
the namespace squall-PID with its tap, where and with what environment the
host command runs, the kernel arguments the guest gets, the pcap, and that
the namespace, QEMU and the host command are gone on every way out (the
command's own exit, the guest exiting first, timeouts, SIGTERM and SIGINT).

The guest is build/images/ready.elf: it prints READY, sleeps app=SECONDS
(default 30) and powers off with status 0. Tests that make namespaces need
root and skip themselves without it; the --dry-run and usage tests do not.
Host traffic goes only to the guest's address inside the run's namespace.
"""

import os
import re
import shlex
import signal
import struct
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (GUARD, IMAGES, RUN, console_has, describe, netns_exists,
                      pid_alive, run)

USAGE = "usage: scripts/run"
IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="--net tap needs root (ip netns)")
TAP_ENV = "10.77.0.2 10.77.0.1"


@pytest.fixture
def ready_elf():
    path = IMAGES / "ready.elf"
    if not path.is_file():
        pytest.skip("build/images/ready.elf is not built (run 'make images')")
    return path


def start(*args, run_script=RUN, env=None):
    """scripts/run ARGS in the background, its output captured as text."""
    return subprocess.Popen([str(run_script), *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", env=env)


def finish(proc, timeout=30):
    """Wait for a start()ed run; a CompletedProcess, as run() returns."""
    out, err = proc.communicate(timeout=timeout + GUARD)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_net(*args, timeout=30):
    """scripts/run ARGS to the end: (CompletedProcess, its namespace's name)."""
    proc = start("--timeout", timeout, *args)
    return finish(proc, timeout), f"squall-{proc.pid}"


def wait_for(path, proc, seconds=20):
    """Wait until path has a whole line in it (the run must still be going)."""
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text().endswith("\n")):
        assert proc.poll() is None and time.monotonic() < deadline, \
            describe(finish(proc, 0)) if proc.poll() is not None else "no " + str(path)
        time.sleep(0.05)


def pids_in(path):
    return [int(w) for w in path.read_text().split()]


def assert_all_gone(name, pids_file=None):
    """The namespace and every process that ran in it are gone."""
    assert not netns_exists(name), f"namespace {name} left behind"
    if pids_file:
        pids = pids_in(pids_file)
        assert pids, "the host command saw no process in its namespace"
        assert not [p for p in pids if pid_alive(p)], f"left running: {pids}"


def pcap_frames(path):
    """(linktype, [frame bytes]) of a little-endian microsecond pcap file."""
    data = Path(path).read_bytes()
    magic, major, minor, _, _, _, linktype = struct.unpack_from("<IHHiIII", data)
    assert (magic, major, minor) == (0xA1B2C3D4, 2, 4), data[:24].hex()
    frames, at = [], 24
    while at < len(data):
        _, _, caplen, _ = struct.unpack_from("<IIII", data, at)
        frames.append(data[at + 16:at + 16 + caplen])
        at += 16 + caplen
    assert at == len(data), "a truncated record"
    return linktype, frames


def tun_flags(proc):
    """The tun_flags the host command printed."""
    found = re.search(r"^0x([0-9a-f]+)$", proc.stdout, re.M)
    assert found, describe(proc)
    return int(found[1], 16)


def arp_who_has(frame, ip):
    """True if frame is an Ethernet ARP request for ip (dotted quad)."""
    target = bytes(int(x) for x in ip.split("."))
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x01"
            and frame[38:42] == target)


# UDP to the guest, from inside the namespace: the host ARPs for 10.77.0.2 on
# the tap. Nothing answers yet; the frames only have to show up in the pcap.
POKE_GUEST = ("python3 -c 'import socket; s = socket.socket(socket.AF_INET, "
              "socket.SOCK_DGRAM); s.sendto(b\"x\", (\"10.77.0.2\", 9))'")


# --- command line, without booting -----------------------------------------

def run_in(repo, *args, **kw):
    return run(*args, run_script=repo / "scripts" / "run", **kw)


@pytest.mark.parametrize("args", [
    ["--host-cmd", "true"], ["--pcap", "x.pcap"], ["--hostfwd", "80"],
    ["--net", "tap", "--hostfwd", "80"], ["--net", "user", "--hostfwd", "0"],
    ["--net", "user", "--hostfwd", "65536"], ["--net", "user", "--hostfwd", "http"],
    ["--net", "user", "--hostfwd", "80,,81"], ["--net", "user", "--hostfwd", ""],
    ["--net", "user", "--hostfwd", "80,"], ["--net", "user", "--hostfwd", "80,80"],
    ["--net", "user", "--hostfwd", "80", "--hostfwd", "80"],
    ["--net", "user", "--hostfwd"], ["--net", "tap", "--host-cmd", ""],
    ["--net", "tap", "--host-cmd", "  "], ["--net", "tap", "--pcap", ""],
    ["--net", "tap", "--pcap", "/nonexistent/dir/x.pcap"], ["--net", "tap", "--pcap", "/tmp"],
])
def test_net_usage_errors_exit_2(fake_repo, args):
    proc = run_in(fake_repo, "--dry-run", *args)
    assert proc.returncode == 2, describe(proc)
    assert proc.stdout == ""
    first = proc.stderr.splitlines()[0]
    assert first.startswith("scripts/run: ") and USAGE in proc.stderr, describe(proc)


def dry_run_plan(repo, *args):
    proc = run_in(repo, "--dry-run", *args)
    assert proc.returncode == 0, describe(proc)
    return proc.stdout.splitlines(), proc.stderr


def qemu_line(lines):
    found = [shlex.split(l) for l in lines if "qemu-system-x86_64" in l]
    assert len(found) == 1, lines
    return found[0]


def option(argv, name):
    """Values of every `name VALUE` in argv."""
    return [b for a, b in zip(argv, argv[1:]) if a == name]


@pytest.mark.parametrize("smp, mq, device_mq", [
    (1, "", ""), (4, " multi_queue", ",mq=on,vectors=10")])
def test_dry_run_tap_plan(fake_repo, smp, mq, device_mq):
    lines, _ = dry_run_plan(fake_repo, "--net", "tap", "--smp", smp, "--host-cmd",
                            "echo $GUEST_IP", "--", "app=1")
    ns = re.fullmatch(r"ip netns add (squall-\d+)", lines[0]).group(1)
    for want in (f"ip -n {ns} link set lo up",
                 f"ip -n {ns} tuntap add dev sqtap0 mode tap{mq}",
                 f"ip -n {ns} addr add 10.77.0.1/24 dev sqtap0",
                 f"ip netns exec {ns} sysctl -qw net.ipv6.conf.sqtap0.disable_ipv6=1",
                 f"ip netns exec {ns} sysctl -qw 'net.ipv4.ip_local_port_range=1024 65535'",
                 f"ip netns exec {ns} sysctl -qw net.ipv4.tcp_tw_reuse=1",
                 f"ip -n {ns} link set sqtap0 up",
                 "# once the guest prints READY:", f"ip netns del {ns}"):
        assert want in lines, lines
    assert lines.index(f"ip netns exec {ns} sysctl -qw net.ipv6.conf.sqtap0.disable_ipv6=1") \
        < lines.index(f"ip -n {ns} link set sqtap0 up"), "no IPv6 before the tap is up"
    argv = qemu_line(lines)
    assert argv[:4] == ["ip", "netns", "exec", ns] and argv[4] == "qemu-system-x86_64"
    assert option(argv, "-netdev") == [
        f"tap,id=n0,ifname=sqtap0,script=no,downscript=no,queues={smp},vhost=off"]
    assert option(argv, "-device")[-1] == (
        f"virtio-net-pci,netdev=n0{device_mq},disable-legacy=on,romfile=,"
        "mac=52:54:00:12:34:56")
    assert option(argv, "-append") == ["ip=10.77.0.2/24 gw=10.77.0.1 app=1"]
    host = shlex.split(lines[lines.index("# once the guest prints READY:") + 1])
    assert host[:5] == ["ip", "netns", "exec", ns, "env"]
    assert host[-3:] == ["/bin/sh", "-c", "echo $GUEST_IP"]
    assert {"GUEST_IP=10.77.0.2", "HOST_IP=10.77.0.1", f"NETNS={ns}", "TAP=sqtap0"} <= set(host)


def test_dry_run_tap_pcap_uses_a_recorder_in_the_namespace(fake_repo, tmp_path):
    lines, _ = dry_run_plan(fake_repo, "--net", "tap", "--smp", "2",
                            "--pcap", tmp_path / "x.pcap")
    ns = lines[0].split()[-1]
    recorder = [l for l in lines if " capture sqtap0 " in l]
    assert len(recorder) == 1 and recorder[0].startswith(f"ip netns exec {ns} ")
    assert recorder[0].endswith(str(tmp_path / "x.pcap"))
    assert lines.index(recorder[0]) < lines.index([l for l in lines if "qemu-" in l][0])
    assert "-object" not in qemu_line(lines)


def test_dry_run_user_plan(fake_repo, tmp_path):
    lines, err = dry_run_plan(fake_repo, "--net", "user", "--smp", "2",
                              "--hostfwd", "8080,22", "--hostfwd", "7070",
                              "--pcap", tmp_path / "a,b.pcap", "--host-cmd", "true")
    assert "ip netns" not in "\n".join(lines)
    argv = qemu_line(lines)
    assert argv[0] == "qemu-system-x86_64"
    netdev = option(argv, "-netdev")[0]
    fwd = re.findall(r"hostfwd=tcp:127\.0\.0\.1:(\d+)-:(\d+)", netdev)
    assert netdev.startswith("user,id=n0,restrict=on,") and [g for _, g in fwd] == [
        "8080", "22", "7070"]
    assert len({h for h, _ in fwd}) == 3
    assert option(argv, "-device")[-1] == (
        "virtio-net-pci,netdev=n0,disable-legacy=on,romfile=,mac=52:54:00:12:34:56")
    assert option(argv, "-object") == [
        f"filter-dump,id=f0,netdev=n0,file={tmp_path}/a,,b.pcap"]
    assert option(argv, "-append") == ["ip=10.0.2.15/24 gw=10.0.2.2"]
    host = shlex.split(lines[-1])
    mapping = ",".join(f"{g}={h}" for h, g in fwd)
    assert host[0] == "env" and f"GUEST_PORTS={mapping}" in host
    assert {"GUEST_IP=127.0.0.1", "NETNS=", "TAP="} <= set(host)
    assert "no multiqueue, so the 2 vCPUs share 1 queue pair" in err


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch to nobody")
def test_tap_without_root_is_one_line_and_exit_2():
    # The unprivileged user may not reach a checkout under a 0700 directory
    # (a mktemp clone), so it runs a world-readable copy of scripts/run.
    top = tempfile.mkdtemp(prefix="squall-run-")
    try:
        os.chmod(top, 0o755)
        scripts = os.path.join(top, "scripts")
        os.mkdir(scripts, 0o755)
        for name in ("run", "netns.py"):
            shutil.copy2(RUN.parent / name, scripts)
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               os.path.join(scripts, "run"), "--net", "tap"],
                              capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=30)
    finally:
        shutil.rmtree(top)
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr.splitlines() == [
        "scripts/run: --net tap needs root (it makes a network namespace and a tap); "
        "--net user does not"], describe(proc)


@pytest.fixture
def fake_ip(tmp_path):
    """install(pattern): a fake `ip` first on PATH that logs its arguments and
    fails when they match the sh case pattern; returns (env, log)."""
    bindir, log = tmp_path / "fakeip", tmp_path / "ip.log"
    bindir.mkdir()

    def install(pattern):
        ip = bindir / "ip"
        ip.write_text(f'#!/bin/sh\necho "$*" >> {log}\n'
                      f'case "$*" in {pattern}) echo "ip: no, not today" >&2; exit 1;; esac\n')
        ip.chmod(0o755)
        return dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}"), log
    return install


@needs_root
def test_failed_netns_add_exits_125(fake_repo, fake_ip):
    env, log = fake_ip('"netns add "*')
    proc = run_in(fake_repo, "--net", "tap", env=env)
    assert proc.returncode == 125, describe(proc)
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("netns add squall-"), calls
    ns = calls[0].split()[-1]
    assert f"scripts/run: ip netns add {ns} failed: ip: no, not today" in proc.stderr


@needs_root
def test_failed_tap_setup_exits_125_and_removes_the_namespace(fake_repo, fake_ip):
    env, log = fake_ip('"-n "*" tuntap add "*')
    proc = run_in(fake_repo, "--net", "tap", env=env)
    assert proc.returncode == 125, describe(proc)
    calls = log.read_text().splitlines()
    ns = calls[0].split()[-1]
    assert (f"scripts/run: ip -n {ns} tuntap add dev sqtap0 mode tap failed: "
            "ip: no, not today") in proc.stderr, describe(proc)
    assert calls[-1] == f"netns del {ns}", calls
    assert not [c for c in calls if "qemu" in c], calls


# --- booting: --net tap ---------------------------------------------------

@needs_root
def test_host_cmd_runs_in_the_namespace_and_its_status_is_ours(ready_elf, tmp_path):
    pids = tmp_path / "pids"
    cmd = ("ip netns identify $$; echo env: $GUEST_IP $HOST_IP $NETNS $TAP; "
           "ip -4 -o addr show sqtap0; sysctl -n net.ipv4.ip_local_port_range "
           f"net.ipv4.tcp_tw_reuse net.ipv6.conf.sqtap0.disable_ipv6; "
           f"ip netns pids $NETNS > {pids}; exit 7")
    proc, ns = run_net("--net", "tap", "--image", "ready", "--host-cmd", cmd, "--", "app=30")
    assert proc.returncode == 7, describe(proc)
    out = proc.stdout.splitlines()
    assert ns in out, describe(proc)                    # ip netns identify
    assert f"env: {TAP_ENV} {ns} sqtap0" in out, describe(proc)
    assert re.search(r"sqtap0\s+inet 10\.77\.0\.1/24 ", proc.stdout), describe(proc)
    assert "1024\t65535" in out and out[out.index("1024\t65535") + 1:][:2] == ["1", "1"]
    assert console_has(proc.stdout, "squall: cmdline 'ip=10.77.0.2/24 gw=10.77.0.1 app=30'")
    assert "scripts/run: host command exited with status 7" in proc.stderr
    assert_all_gone(ns, pids)


@needs_root
def test_two_vcpus_get_a_multi_queue_tap_with_two_queues_and_a_pcap(ready_elf, tmp_path):
    pcap = tmp_path / "two.pcap"
    cmd = ("cat /sys/class/net/sqtap0/tun_flags; ip -d link show sqtap0; "
           + POKE_GUEST)
    proc, ns = run_net("--net", "tap", "--smp", "2", "--image", "ready", "--pcap", pcap,
                       "--host-cmd", cmd)
    assert proc.returncode == 0, describe(proc)
    assert "mismatch" not in proc.stderr, describe(proc)
    assert tun_flags(proc) & 0x100, "IFF_MULTI_QUEUE"
    queues = re.search(r"multi_queue numqueues (\d+) numdisabled (\d+)", proc.stdout)
    assert queues and int(queues[1]) + int(queues[2]) == 2, describe(proc)
    linktype, frames = pcap_frames(pcap)
    assert linktype == 1 and any(arp_who_has(f, "10.77.0.2") for f in frames), frames
    assert_all_gone(ns)


@needs_root
def test_one_vcpu_single_queue_tap_and_pcap(ready_elf, tmp_path):
    pcap = tmp_path / "one.pcap"
    cmd = "cat /sys/class/net/sqtap0/tun_flags; " + POKE_GUEST
    proc, ns = run_net("--net", "tap", "--image", "ready", "--pcap", pcap, "--host-cmd", cmd)
    assert proc.returncode == 0, describe(proc)
    assert not tun_flags(proc) & 0x100, "a single-queue tap must not be IFF_MULTI_QUEUE"
    linktype, frames = pcap_frames(pcap)
    assert linktype == 1 and any(arp_who_has(f, "10.77.0.2") for f in frames), frames
    assert_all_gone(ns)


@needs_root
@pytest.mark.parametrize("selftest, status", [("cmdline", 125), ("nosuch", 2)])
def test_guest_exits_before_ready(base_elf, tmp_path, selftest, status):
    ran = tmp_path / "ran"
    proc, ns = run_net("--net", "tap", "--image", "base", "--host-cmd", f"touch {ran}",
                       "--", f"selftest={selftest}")
    assert proc.returncode == status, describe(proc)
    guest = 0 if status == 125 else status
    want = (f"scripts/run: guest powered off (status {guest}) before printing READY; "
            "host command not run")
    assert want in proc.stderr.splitlines(), describe(proc)
    assert not ran.exists()
    assert_all_gone(ns)


@needs_root
def test_no_ready_before_the_timeout(base_elf, tmp_path):
    ran = tmp_path / "ran"
    proc, ns = run_net("--net", "tap", "--image", "base", "--host-cmd", f"touch {ran}",
                       "--", "selftest=hang", timeout=3)
    assert proc.returncode == 124, describe(proc)
    assert ("scripts/run: timeout: the guest printed no READY line in 3 s; "
            "host command not run") in proc.stderr.splitlines(), describe(proc)
    assert not ran.exists()
    assert_all_gone(ns)


@needs_root
def test_host_cmd_timeout_kills_a_command_that_ignores_sigterm(ready_elf, tmp_path):
    pids = tmp_path / "pids"
    cmd = f"trap '' TERM; ip netns pids $NETNS > {pids}; while :; do sleep 0.2; done"
    start_time = time.monotonic()
    proc, ns = run_net("--net", "tap", "--image", "ready", "--host-cmd", cmd, timeout=3)
    took = time.monotonic() - start_time
    assert proc.returncode == 124, describe(proc)
    assert ("scripts/run: timeout: host command still running after 3 s, stopped"
            in proc.stderr.splitlines()), describe(proc)
    assert 3 + 2 <= took < 15, "SIGTERM, a 2 s grace, then SIGKILL"
    assert_all_gone(ns, pids)


@needs_root
def test_guest_powering_off_first_lets_the_host_cmd_finish(ready_elf):
    proc, ns = run_net("--net", "tap", "--image", "ready", "--host-cmd",
                       "sleep 2; echo done; exit 5", "--", "app=1")
    assert proc.returncode == 5, describe(proc)
    assert "ready: slept 1 s, exiting" in proc.stdout and "done" in proc.stdout
    assert ("scripts/run: guest powered off (status 0) before the host command finished"
            in proc.stderr), describe(proc)
    assert_all_gone(ns)


@needs_root
@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_host_cmd_removes_everything(ready_elf, tmp_path, sig, status):
    pids = tmp_path / "pids"
    proc = start("--timeout", 30, "--net", "tap", "--image", "ready", "--host-cmd",
                 f"ip netns pids $NETNS > {pids}.tmp; mv {pids}.tmp {pids}; sleep 30")
    wait_for(pids, proc)
    proc.send_signal(sig)
    result = finish(proc)
    assert result.returncode == status, describe(result)
    assert_all_gone(f"squall-{proc.pid}", pids)


# --- booting: --net user ------------------------------------------------

def test_user_net_forwards_ports_for_the_host_cmd(ready_elf, tmp_path):
    tcp = tmp_path / "tcp"
    proc, _ = run_net("--net", "user", "--hostfwd", "8080,7070", "--image", "ready",
                      "--host-cmd", "echo ports=$GUEST_PORTS ip=$GUEST_IP "
                      f"ns=[$NETNS] tap=[$TAP]; cat /proc/net/tcp > {tcp}")
    assert proc.returncode == 0, describe(proc)
    found = re.search(r"^ports=8080=(\d+),7070=(\d+) ip=127\.0\.0\.1 ns=\[\] tap=\[\]$",
                      proc.stdout, re.M)
    assert found, describe(proc)
    listening = {l.split()[1] for l in tcp.read_text().splitlines()[1:] if l.split()[3] == "0A"}
    for port in map(int, found.groups()):
        assert f"0100007F:{port:04X}" in listening, f"nothing listens on 127.0.0.1:{port}"
    assert console_has(proc.stdout, "squall: cmdline 'ip=10.0.2.15/24 gw=10.0.2.2'")


def test_user_net_pcap_is_a_pcap(ready_elf, tmp_path):
    pcap = tmp_path / "user.pcap"
    proc, _ = run_net("--net", "user", "--image", "ready", "--pcap", pcap,
                      "--host-cmd", "true")
    assert proc.returncode == 0, describe(proc)
    assert pcap_frames(pcap)[0] == 1
