"""tools/storm against a small server in a private network namespace (no VM).

Every storm here runs inside the namespace squall-<pid>-storm, created for
this module and removed on every exit path (fixture teardown, atexit, and
SIGTERM). It holds `lo` and a veth pair with 10.77.0.1/24 on sq0; nothing
answers for the rest of that subnet, which is where synflood's spoofed
sources live. The server is build/tools/storm-testd
(tools/storm/testserver/testd.c), which prints its own counters on exit, so
each test checks that the two sides agree: connections completed =
responses received, nothing lost or counted twice.

Needs root (ip netns). Builds with `make storm-tool`, or through the
fragment alone while the top Makefile does not include it yet. Bounded:
every storm has --duration/--count and a subprocess timeout; the file runs
in about 15 s. No assertion is about speed, only about counts and about
errors arriving quickly instead of hanging.
"""

import atexit
import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORM = ROOT / "build" / "tools" / "storm"
TESTD = ROOT / "build" / "tools" / "storm-testd"
NS = f"squall-{os.getpid()}-storm"
SUBNET_ADDR = "10.77.0.1"
SPOOFED = "10.77.0.128/25"
WRAPPER_MK = "BUILD := build\nQ := @\nquiet = @true\ninclude tools/storm/storm.mk\n"

_started = []          # Popen objects of servers we started, killed by PID
_ns_created = False


def _cleanup():
    global _ns_created
    for p in _started:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    _started.clear()
    if _ns_created:
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        _ns_created = False


def _on_sigterm(signum, frame):
    # Like Ctrl-C: pytest stops the session and runs the fixture teardown
    # (atexit is the fallback).
    raise KeyboardInterrupt


def _build():
    r = subprocess.run(["make", "-s", "--no-print-directory", "storm-tool"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        # The top Makefile may not include tools/storm/storm.mk yet.
        r = subprocess.run(["make", "-s", "--no-print-directory", "-f", "-", "storm-tool"],
                           cwd=ROOT, input=WRAPPER_MK, capture_output=True, text=True,
                           timeout=300)
    assert r.returncode == 0, f"building storm failed:\n{r.stdout}\n{r.stderr}"


def nsexec(*args):
    return ["ip", "netns", "exec", NS, *[str(a) for a in args]]


def sh(cmd):
    subprocess.run(nsexec("sh", "-c", cmd), check=True, capture_output=True, timeout=10)


@pytest.fixture(scope="module")
def built():
    _build()


@pytest.fixture(scope="module")
def ns(built):
    global _ns_created
    if os.geteuid() != 0:
        pytest.skip("needs root for ip netns")
    subprocess.run(["ip", "netns", "add", NS], check=True, capture_output=True)
    _ns_created = True
    atexit.register(_cleanup)
    old = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        sh("ip link set lo up && "
           "ip link add sq0 type veth peer name sq1 && "
           f"ip addr add {SUBNET_ADDR}/24 dev sq0 && "
           "ip link set sq0 up && ip link set sq1 up")
        yield NS
    finally:
        _cleanup()
        signal.signal(signal.SIGTERM, old)


class Server:
    """storm-testd in the namespace; stop() returns its counters."""

    def __init__(self, *args, addr="127.0.0.1"):
        self.p = subprocess.Popen(nsexec(TESTD, "--addr", addr, "--port", 0, "--lifetime", 60,
                                         *args), stdout=subprocess.PIPE, text=True)
        _started.append(self.p)
        ready, _, _ = select.select([self.p.stdout], [], [], 10)
        line = self.p.stdout.readline() if ready else ""
        assert line.startswith("READY "), f"storm-testd did not start: {line!r}"
        self.port = int(line.split()[1])
        self.addr = addr

    @property
    def target(self):
        return f"{self.addr}:{self.port}"

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, _ = self.p.communicate(timeout=10)
        _started.remove(self.p)
        return json.loads(out.strip().splitlines()[-1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.stop()


def storm(*args, timeout=30, in_ns=True):
    cmd = nsexec(STORM, *args) if in_ns else [str(STORM), *map(str, args)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    p.seconds = time.monotonic() - t0
    lines = p.stdout.splitlines()
    p.json = json.loads(lines[0]) if lines else None
    assert len(lines) <= 1, f"more than one line on stdout:\n{p.stdout}"
    return p


def describe(p):
    return f"exit {p.returncode}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}"


def errors_total(r):
    return r["errors"]["total"]


def check_books(r):
    """The invariants every run's JSON must satisfy, whatever happened."""
    assert r["started"] == r["ops"] + r["failed"] + r["cancelled"], r
    assert errors_total(r) == sum(v for k, v in r["errors"].items() if k != "total")
    if r["mode"] != "rr":           # rr's pool connections fail outside operations too
        assert errors_total(r) == r["failed"]
    else:
        assert errors_total(r) >= r["failed"]
    assert sum(s["ops"] for s in r["series"]) == r["ops"]
    assert sum(s["errors"] for s in r["series"]) == errors_total(r)
    if r["mode"] != "synflood":
        assert r["latency_us"]["count"] == r["ops"]
        c = r["connects"]
        assert c["established"] <= c["attempted"]
        assert sum(s["connects"] for s in r["series"]) == c["established"]
        assert r["connect_us"]["count"] == c["established"]
    if r["mode"] in ("crr", "rr"):
        assert r["responses"] == r["ops"]
        assert r["requests"] >= r["responses"]
    if r["loop"] == "open":
        ol = r["open_loop"]
        assert ol["started"] == r["started"]
        assert ol["scheduled"] == ol["started"] + ol["backlog"]


def client_time_wait(port):
    out = subprocess.run(nsexec("ss", "-tan", "state", "time-wait", f"( dport = :{port} )"),
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines()) - 1


def in_segs():
    """TCP segments received in the namespace (/proc/net/snmp Tcp: InSegs)."""
    out = subprocess.run(nsexec("cat", "/proc/net/snmp"), capture_output=True, text=True,
                         check=True).stdout
    head, vals = [l.split() for l in out.splitlines() if l.startswith("Tcp:")]
    return int(vals[head.index("InSegs")])


# ---- crr ----

def test_crr_closed_loop_counts_match_the_server(ns):
    with Server("--mode", "crr") as srv:
        p = storm("crr", "-t", srv.target, "-c", 16, "-n", 3000, "-d", 20)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["ok"] and r["stopped_by"] == "count" and r["loop"] == "closed"
    assert r["ops"] == r["started"] == 3000
    assert r["failed"] == r["cancelled"] == errors_total(r) == 0
    assert r["connects"] == {"attempted": 3000, "established": 3000}
    assert r["requests"] == r["responses"] == 3000
    assert r["bytes"] == {"sent": 3000 * 64, "received": 3000 * 128}
    # The server: one more connection (storm's check, reset at once), every
    # request read, every response written, nothing cut short.
    assert s["accepted"] == 3001
    assert s["requests"] == s["served"] == 3000
    assert s["short_reads"] == 0
    # The server closes first, so TIME_WAIT stays on its side.
    assert client_time_wait(srv.port) == 0


def test_crr_duration_bounded_run_balances(ns):
    with Server("--mode", "crr", "--request-size", 100, "--response-size", 1000) as srv:
        p = storm("crr", "-t", srv.target, "-c", 32, "-d", 1, "--request-size", 100,
                  "--response-size", 1000)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["stopped_by"] == "duration" and r["ops"] > 0 and errors_total(r) == 0
    assert r["connects"]["attempted"] == r["started"]
    # The server may have answered some of those cancelled at the stop.
    assert r["ops"] <= s["served"] <= r["ops"] + r["cancelled"]
    assert s["accepted"] == r["connects"]["established"] + 1
    assert r["bytes"]["received"] >= r["ops"] * 1000


def test_crr_open_loop_follows_the_schedule(ns):
    with Server("--mode", "crr") as srv:
        p = storm("crr", "-t", srv.target, "-r", 2000, "-n", 2000, "-d", 20)
        q = storm("crr", "-t", srv.target, "-r", 1000, "-d", 1)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["loop"] == "open" and r["stopped_by"] == "count"
    assert r["ops"] == 2000 and r["open_loop"]["scheduled"] == 2000
    assert r["open_loop"]["backlog"] == 0
    # Arrival 1999 is due at 0.9995 s: an open loop cannot finish sooner.
    assert r["elapsed_s"] >= 0.99
    assert q.returncode == 0, describe(q)
    r = q.json
    check_books(r)
    assert 998 <= r["open_loop"]["scheduled"] <= 1002
    assert s["served"] >= 2000 + r["ops"]


# ---- rr ----

def test_rr_closed_loop_counts_match_the_server(ns):
    with Server("--mode", "echo", "--request-size", 64) as srv:
        p = storm("rr", "-t", srv.target, "-c", 8, "-n", 5000, "-d", 20)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["stopped_by"] == "count"
    assert r["ops"] == r["requests"] == r["responses"] == 5000
    assert r["connects"] == {"attempted": 8, "established": 8}
    assert r["open_at_end"] == 8 and errors_total(r) == 0
    assert r["bytes"] == {"sent": 5000 * 64, "received": 5000 * 64}
    assert s["accepted"] == 9                    # 8 + the check
    assert s["requests"] == 5000
    assert s["bytes_in"] == s["bytes_out"] == 5000 * 64


def test_rr_open_loop(ns):
    with Server("--mode", "echo", "--request-size", 200) as srv:
        p = storm("rr", "-t", srv.target, "-c", 8, "-r", 4000, "-n", 2000,
                  "--request-size", 200, "-d", 20)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["loop"] == "open" and r["ops"] == 2000 and errors_total(r) == 0
    assert r["open_loop"]["backlog"] == 0
    assert s["requests"] == 2000 and s["bytes_out"] == 2000 * 200


# ---- hold ----

def test_hold_keeps_every_connection(ns):
    with Server("--mode", "hold") as srv:
        p = storm("hold", "-t", srv.target, "-c", 300, "-d", 1)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    h = r["hold"]
    assert r["stopped_by"] == "duration"
    assert r["connects"] == {"attempted": 300, "established": 300}
    assert h["open_at_end"] == h["peak_open"] == 300 and h["dropped"] == 0
    assert h["full_at_s"] is not None and h["first_failure_s"] is None
    assert s["accepted"] == 301 and s["peak_open"] >= 300


def test_hold_ramp_reports_when_the_target_refused(ns):
    # The server keeps 101 connections (storm's check is the first) and then
    # closes its listener: from then on every connect is refused.
    with Server("--mode", "hold", "--max-conns", 101) as srv:
        p = storm("hold", "-t", srv.target, "-c", 200, "-r", 400, "-d", 1.5)
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    h, c = r["hold"], r["connects"]
    assert h["open_at_end"] == 100
    assert c["established"] == h["open_at_end"] + h["dropped"]
    assert c["attempted"] == 200 == c["established"] + r["failed"] + r["cancelled"]
    assert r["failed"] == r["errors"]["refused"] > 0
    assert h["first_failure_s"] is not None and h["full_at_s"] is None
    # The ramp is 400/s, so the 100th connection came at about 0.25 s.
    assert 0.2 <= h["first_failure_s"] <= 1.5
    assert h["open_at_first_failure"] <= 100
    assert s["accepted"] == 101


# ---- synflood ----

def test_synflood_sends_the_asked_number_of_syns(ns):
    with Server("--mode", "hold", addr=SUBNET_ADDR) as srv:
        before = in_segs()
        p = storm("synflood", "-t", srv.target, "-s", SPOOFED, "-r", 30000, "-n", 3000)
        time.sleep(0.3)
        after = in_segs()
        s = srv.stop()
    assert p.returncode == 0, describe(p)
    r = p.json
    check_books(r)
    assert r["ops"] == r["synflood"]["sent"] == 3000 and errors_total(r) == 0
    assert r["synflood"]["sources"] == 126
    assert r["bytes"]["sent"] == 3000 * 44
    # Every SYN reached the namespace's TCP, and none completed a handshake
    # (the spoofed sources never answer the SYN-ACKs).
    assert after - before == 3000
    assert s["accepted"] == 0


# ---- errors and control ----

def test_refused_port_is_a_clear_error_at_once(ns):
    p = storm("crr", "-t", "127.0.0.1:9", "-d", 30)
    assert p.returncode == 1, describe(p)
    assert "refused" in p.stderr and "127.0.0.1:9" in p.stderr
    assert p.json["ok"] is False and "refused" in p.json["error"]
    assert p.seconds < 5


def test_refused_without_the_check_stops_by_itself(ns):
    p = storm("crr", "-t", "127.0.0.1:9", "-d", 30, "--no-check")
    assert p.returncode == 1, describe(p)
    r = p.json
    assert r["stopped_by"] == "error" and r["ops"] == 0
    assert r["errors"]["refused"] == errors_total(r) > 0
    assert "no connection" in r["error"]
    check_books(r)
    assert p.seconds < 5


def test_unanswered_and_unroutable_targets_fail_fast(ns):
    # 10.77.0.50 is on the veth subnet but nobody answers ARP for it.
    p = storm("rr", "-t", "10.77.0.50:8080", "--timeout", 500, "-d", 30)
    assert p.returncode == 1, describe(p)
    assert "no answer" in p.json["error"] and p.seconds < 5
    p = storm("crr", "-t", "10.99.0.1:8080", "-d", 30)      # no route at all
    assert p.returncode == 1, describe(p)
    assert "unreachable" in p.json["error"] and p.seconds < 5
    p = storm("synflood", "-t", "10.99.0.1:8080", "-s", SPOOFED, "-d", 30)
    assert p.returncode == 1, describe(p)
    assert "unreachable" in p.stderr and p.seconds < 5


def test_source_addresses_are_used_and_checked(ns):
    with Server("--mode", "hold") as srv:
        proc = subprocess.Popen(nsexec(STORM, "hold", "-t", srv.target, "-c", 40, "-d", 1.5,
                                       "-s", "127.0.0.2-5"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.7)
            ss = subprocess.run(nsexec("ss", "-tnH", "state", "established",
                                       f"( dport = :{srv.port} )"),
                                capture_output=True, text=True, check=True).stdout
        finally:
            out, err = proc.communicate(timeout=15)
        srv.stop()
    assert proc.returncode == 0, err
    r = json.loads(out)
    assert r["hold"]["open_at_end"] == 40
    local = {line.split()[2].rsplit(":", 1)[0] for line in ss.splitlines()}
    assert local == {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}
    p = storm("crr", "-t", "127.0.0.1:9", "-s", "10.55.0.1", "-d", 1)
    assert p.returncode == 1 and "cannot bind 10.55.0.1" in p.stderr, describe(p)


def free_port_range(n):
    """A range of n ports that no socket in the namespace holds. Earlier tests
    leave listeners' and TIME_WAIT ports behind, and Linux's connect() skips
    any port with a bind()-owned bucket, so such a port would cost one
    connection (CI saw 499 of 500 when the server's own port fell inside)."""
    out = subprocess.run(nsexec("ss", "-tanH"), check=True, capture_output=True,
                         text=True, timeout=10).stdout
    used = {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines()}
    for base in range(40000, 60000, n):
        if not any(base <= p < base + n for p in used):
            return base, base + n - 1
    raise AssertionError(f"no {n} free ports in the namespace: {sorted(used)}")


def test_more_source_addresses_go_past_one_address_ports(ns):
    # 500 ephemeral ports in the namespace: one source address holds 500
    # connections to one server, two hold 800.
    with Server("--mode", "hold") as srv:
        lo, hi = free_port_range(500)
        sh(f"sysctl -qw net.ipv4.ip_local_port_range='{lo} {hi}'")
        try:
            one = storm("hold", "-t", srv.target, "-c", 800, "-d", 3, "-s", "127.0.0.2", "--no-check")
            two = storm("hold", "-t", srv.target, "-c", 800, "-d", 3, "-s", "127.0.0.2-3", "--no-check")
        finally:
            sh("sysctl -qw net.ipv4.ip_local_port_range='32768 60999'")
        srv.stop()
    assert one.returncode == 0 and two.returncode == 0, describe(one) + describe(two)
    for p in (one, two):
        check_books(p.json)
    r = one.json
    assert r["connects"]["established"] == r["hold"]["open_at_end"] == 500
    assert r["errors"]["no_ports"] == r["failed"] == 300
    assert "--source-addrs" in r["first_error"]
    r = two.json
    assert r["connects"]["established"] == r["hold"]["open_at_end"] == 800
    assert errors_total(r) == 0


def test_ctrl_c_stops_cleanly_with_partial_results(ns):
    with Server("--mode", "crr") as srv:
        proc = subprocess.Popen(nsexec(STORM, "crr", "-t", srv.target, "-d", 30),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)     # ip netns exec execs storm: same PID
        out, err = proc.communicate(timeout=10)
        s = srv.stop()
    assert proc.returncode == 130, err
    r = json.loads(out)
    check_books(r)
    assert r["ok"] and r["stopped_by"] == "signal"
    assert r["ops"] > 0 and r["elapsed_s"] < 10
    assert r["ops"] <= s["served"] <= r["ops"] + r["cancelled"]


@pytest.mark.parametrize("args, needle", [
    ([], "no mode"),
    (["flood"], "unknown mode"),
    (["crr", "--rate", "0"], "--rate"),
    (["crr", "-d", "2h"], "--duration"),
    (["crr", "-d", "601"], "at most 600s"),
    (["crr", "-c", "lots"], "--connections"),
    (["crr", "--target", "host.example:80"], "IPv4"),
    (["rr", "--response-size", "10"], "echoes"),
    (["hold", "-n", "10"], "--count"),
    (["synflood", "-r", "1k"], "--source-addrs"),
    (["crr", "--frobnicate"], "unknown option"),
])
def test_bad_options_print_usage_and_exit_2(built, args, needle):
    p = storm(*args, in_ns=False, timeout=10)
    assert p.returncode == 2, describe(p)
    assert needle in p.stderr and "usage: storm" in p.stderr
    assert p.stdout == ""


def test_help_explains_modes_and_options(built):
    p = subprocess.run([str(STORM), "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and p.stderr == ""
    text = p.stdout
    for word in ("crr", "rr", "hold", "synflood", "--target", "--duration", "--connections",
                 "--rate", "--threads", "--request-size", "--response-size",
                 "--source-addrs", "--timeout", "--json", "closed loop", "open loop",
                 "Exit status", "Examples"):
        assert word in text, word
