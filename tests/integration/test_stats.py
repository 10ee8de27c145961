"""The kernel's stats endpoint on TCP port 7070 (net/core/stats_server.c).

Each test boots `echo` with `scripts/run --net tap` and runs a Python
script as the --host-cmd inside the test namespace (the guest is
$GUEST_IP), as test_tcp.py does. Checked:
- GET /stats is JSON with the schema scripts/experiment reads, and that
  runner's own derive() makes its figures from two reads;
- N echo connections grow Tcp.PassiveOpens by at least N and the echo
  thread's worker accepts by exactly N; the per-CPU conns sum to
  PassiveOpens; GET / is the aligned text;
- malformed requests get 400/404/405/414/431/505, a silent or trickling
  client is timed out (408) while the next client is still served, a
  client that resets mid-request does not stop it, and the endpoint counts
  them;
- the echo port keeps working while 7070 is hammered (a bounded number of
  requests); stats_port= moves or disables the endpoint;
- the counter summary on the console when an app exits (stats_at_exit=).
Skips when not root or when the image is not built. No assertion is
about speed: deadlines are generous and only bound a hung run.
"""

import importlib.machinery
import importlib.util
import json
import os
import re
import textwrap

import pytest

from conftest import ROOT, console_has, describe, need, run

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="--net tap needs root")

PY = "/usr/bin/python3"

PRELUDE = """
import json, os, select, socket, struct, sys, threading, time
G = os.environ["GUEST_IP"]

def raw(data, port=7070, timeout=20, shut=False):
    s = socket.create_connection((G, port), timeout=timeout)
    if data:
        s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        out += c
    s.close()
    return out

def status(resp):
    m = resp.split(b"\\r\\n", 1)[0].split(b" ")
    assert len(m) >= 3 and m[0] == b"HTTP/1.1", resp[:200]
    return int(m[1])

def get(path="/stats", port=7070):
    r = raw(b"GET " + path.encode() + b" HTTP/1.1\\r\\nHost: guest\\r\\nConnection: close\\r\\n\\r\\n",
            port=port)
    head, _, body = r.partition(b"\\r\\n\\r\\n")
    assert status(r) == 200, r[:300]
    length = [l for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length:")]
    assert length and int(length[0].split(b":")[1]) == len(body), head
    return head, body

def stats(port=7070):
    return json.loads(get("/stats", port)[1])

def accepts(st):
    return sum(w["accepts"] for w in st["workers"])

def echo(n):
    for i in range(n):
        c = socket.create_connection((G, 7), timeout=20)
        msg = b"hello %d" % i
        c.sendall(msg)
        got = b""
        while len(got) < len(msg):
            b = c.recv(100)
            assert b, "echo: EOF"
            got += b
        assert got == msg
        c.close()
"""


def host_py(code):
    src = PRELUDE + textwrap.dedent(code)
    return f"{PY} -c " + "'" + src.replace("'", "'\"'\"'") + "'"


def echo_run(code, smp=2, timeout=120, args=()):
    need("echo")
    proc = run("--image", "echo", "--smp", smp, "--net", "tap", "--host-cmd", host_py(code),
               "--", *args, timeout=timeout)
    assert proc.returncode == 0, describe(proc)
    assert "PASS" in proc.stdout, describe(proc)
    return proc


def experiment_module():
    """scripts/experiment (no .py suffix) as a module, to use its own parser of the stats."""
    path = str(ROOT / "scripts" / "experiment")
    loader = importlib.machinery.SourceFileLoader("squall_experiment", path)
    spec = importlib.util.spec_from_loader("squall_experiment", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


N = 20


@needs_root
def test_json_schema_counts_and_text():
    proc = echo_run(f"""
        before = stats()
        for key in ("source", "schema", "ncpus", "tsc_hz", "uptime_s", "snmp", "netstat",
                    "cpus", "netdev", "locks", "workers"):
            assert key in before, key
        assert before["source"] == "squall" and before["schema"] == 1, before["source"]
        assert before["ncpus"] == 2 and len(before["cpus"]) == 2, before["cpus"]
        assert before["tsc_hz"] > 0
        assert set(before["snmp"]) == {{"Ip", "Icmp", "Tcp", "Udp"}}, before["snmp"].keys()
        for k in ("ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab",
                  "InSegs", "OutSegs", "RetransSegs", "InErrs", "OutRsts"):
            assert k in before["snmp"]["Tcp"], k
        for k in ("ListenOverflows", "ListenDrops", "SyncookiesSent", "TW", "TCPBacklogDrop"):
            assert k in before["netstat"]["TcpExt"], k
        assert "InReceives" in before["snmp"]["Ip"] and "NoPorts" in before["snmp"]["Udp"]
        for c in before["cpus"]:
            for k in ("cpu", "busy_cycles", "idle_cycles", "softirq_cycles", "conns",
                      "spurious_wakeups"):
                assert isinstance(c[k], int), (k, c)
            assert c["busy_cycles"] + c["idle_cycles"] > 0, c
        assert len(before["netdev"]["eth0"]["queues"]) == 2, before["netdev"]
        names = [l["name"] for l in before["locks"]]
        assert "sk_lock" in names and "rq" in names, names
        assert all(set(l) == {{"name", "acquired", "contended", "spin_cycles"}} for l in before["locks"])

        echo({N})
        after = stats()
        d = after["snmp"]["Tcp"]["PassiveOpens"] - before["snmp"]["Tcp"]["PassiveOpens"]
        assert d >= {N} + 1, ("PassiveOpens grew by", d)   # + this stats read
        assert accepts(after) - accepts(before) == {N}, (before["workers"], after["workers"])
        w = after["workers"]
        assert len(w) == 1 and w[0]["worker"] == 0 and w[0]["cpu"] in (0, 1), w
        for k in ("tid", "accepts", "handled", "spurious_wakeups", "errors"):
            assert isinstance(w[0][k], int), (k, w)
        assert sum(c["conns"] for c in after["cpus"]) == after["snmp"]["Tcp"]["PassiveOpens"]
        assert after["uptime_s"] > before["uptime_s"]
        print("STATS_BEFORE " + json.dumps(before))
        print("STATS_AFTER " + json.dumps(after))

        head, text = get("/")
        assert b"text/plain" in head, head
        lines = text.decode().splitlines()
        assert lines[0].startswith("squall stats: 2 cpus"), lines[0]
        tcp = [l.split() for l in lines if l.startswith("Tcp:")]
        assert len(tcp) == 2 and tcp[0][2] == "PassiveOpens", tcp
        assert int(tcp[1][2]) >= after["snmp"]["Tcp"]["PassiveOpens"] + 1, tcp
        assert any(l.split()[:4] == ["cpu", "busy_cycles", "idle_cycles", "softirq_cycles"]
                   for l in lines), lines
        assert any(l.split()[:4] == ["worker", "tid", "cpu", "accepts"] for l in lines), lines
        # ?query strings are ignored, as by stormd's twin
        assert json.loads(get("/stats?x=1")[1])["source"] == "squall"
        print("PASS")
    """)
    # The experiment runner's own code reads the two snapshots.
    exp = experiment_module()
    before = json.loads(re.search(r"^STATS_BEFORE (.*)$", proc.stdout, re.M).group(1))
    after = json.loads(re.search(r"^STATS_AFTER (.*)$", proc.stdout, re.M).group(1))
    d = exp.derive({"mode": "crr", "ops": N, "elapsed_s": 1.0}, before, after, None)
    assert d["tcp"]["PassiveOpens"] >= N, d["tcp"]
    assert d["accepts"] == N and d["accepts_per_worker"] == [N], d
    assert d["guest_cpu"] and d["guest_cpu"]["source"] == "busy/idle cycles", d["guest_cpu"]
    assert d["guest_cpu"]["busy_s"] > 0 and len(d["guest_cpu"]["per_cpu_busy_s"]) == 2, \
        [(c["busy_cycles"], c["idle_cycles"]) for c in before["cpus"] + after["cpus"]]
    assert d["cpu_per_conn_us"] is not None and d["softirq_share"] is not None, d


@needs_root
def test_malformed_requests_are_answered_and_counted():
    echo_run("""
        base = stats()["endpoint"]
        assert status(raw(b"\\x16\\x03\\x01\\x00\\xa5\\x01\\x00")) == 400        # garbage (TLS)
        assert status(raw(b"GET /stats", shut=True)) == 400                    # no CRLF, then EOF
        assert status(raw(b"GET /" + b"a" * 2000)) == 414                      # request line too long
        flood = b"GET / HTTP/1.1\\r\\n" + b"X-A: bbbbbbbbbb\\r\\n" * 400 + b"\\r\\n"
        assert status(raw(flood)) == 431                                       # headers too long
        assert status(raw(b"GET /nope HTTP/1.1\\r\\n\\r\\n")) == 404
        r = raw(b"POST /stats HTTP/1.1\\r\\nContent-Length: 4\\r\\n\\r\\nabcd")
        assert status(r) == 405 and b"\\r\\nAllow: GET\\r\\n" in r, r
        assert status(raw(b"DELETE / HTTP/1.1\\r\\n\\r\\n")) == 405
        assert status(raw(b"GET / HTTP/2.0\\r\\n\\r\\n")) == 505
        assert status(raw(b"GET /stats HTTP/1.1\\r\\nno colon here\\r\\n\\r\\n")) == 400

        # A client that sends half a request and stays: 408 once its time is up ...
        assert status(raw(b"GET /stats HTTP/1.1\\r\\nHost")) == 408
        # ... and one that sends nothing: the endpoint times it out and serves the next
        # client, which connected while it waited.
        idle = socket.create_connection((G, 7070), timeout=20)
        time.sleep(0.2)
        st = stats()
        assert st["source"] == "squall"
        assert status(idle.recv(4096) or b"HTTP/1.1 0 closed") == 408
        idle.close()

        # One that trickles a byte every 0.3 s: the 2 s are for the whole head, not per byte.
        s = socket.create_connection((G, 7070), timeout=20)
        req, answer = b"GET /stats HTTP/1.1\\r\\nHost: guest\\r\\nX-Slow: yes\\r\\n\\r\\n", b""
        for i in range(len(req)):
            if select.select([s], [], [], 0.3)[0]:
                break
            s.sendall(req[i:i + 1])
        while True:
            b = s.recv(4096)
            if not b:
                break
            answer += b
        s.close()
        assert status(answer) == 408, answer[:100]

        # A client that resets mid-request (SO_LINGER 0: close sends RST).
        for _ in range(3):
            s = socket.create_connection((G, 7070), timeout=20)
            s.sendall(b"GET /sta")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        end = stats()["endpoint"]
        # A reset client is counted as aborted when its recv fails; when the reset reads
        # as EOF it is a 400 instead (and aborted too if that answer cannot be sent).
        aborted = end["aborted"] - base["aborted"]
        bad = end["bad_requests"] - base["bad_requests"]
        assert 9 <= bad <= 12 and aborted <= 3 and aborted + bad - 9 >= 3, (base, end)
        assert end["timeouts"] - base["timeouts"] == 3, (base, end)
        assert end["port"] == 7070
        print("PASS")
    """)


@needs_root
def test_echo_keeps_working_while_the_endpoint_is_hammered():
    echo_run("""
        errors = []

        def hammer(n):
            try:
                for i in range(n):
                    if i % 3 == 0:
                        raw(b"GET /x HTTP/1.1\\r\\n\\r\\n")
                    elif i % 3 == 1:
                        raw(b"junk\\r\\n")
                    else:
                        stats()
            except Exception as e:
                errors.append(repr(e))

        before = stats()
        threads = [threading.Thread(target=hammer, args=(40,)) for _ in range(4)]
        for t in threads:
            t.start()
        echo(30)
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads), "a hammer thread is stuck"
        assert not errors, errors
        after = stats()
        assert accepts(after) - accepts(before) == 30, (before["workers"], after["workers"])
        got = after["endpoint"]["requests"] - before["endpoint"]["requests"]
        assert got == 4 * 40 + 1, got
        print("PASS")
    """)


@needs_root
def test_profile_lists_the_hottest_functions():
    # profile=1: ticks are sampled; after some echoes GET /profile has a
    # total and function lines whose ticks add up to at most the kernel's.
    echo_run("""
        echo(50)
        text = get("/profile")[1].decode()
        head, _, rest = text.partition("\\n")
        words = head.split()
        assert words[0] == "profile:" and int(words[1]) > 0, text
        kernel = int(words[4].rstrip(","))
        rows = [l.split() for l in rest.splitlines()[1:] if l.strip()]
        assert rows and all(r[0].isdigit() for r in rows), text
        assert sum(int(r[0]) for r in rows) <= kernel, text
        print("PASS")
    """, args=("profile=1",))
    echo_run("""
        assert get("/profile")[1].startswith(b"profile: off"), get("/profile")
        print("PASS")
    """)


@needs_root
def test_stats_port_moves_or_disables_the_endpoint():
    echo_run("""
        assert stats(port=7071)["endpoint"]["port"] == 7071
        try:
            socket.create_connection((G, 7070), timeout=5)
            sys.exit("port 7070 answered with stats_port=7071")
        except ConnectionRefusedError:
            pass
        print("PASS")
    """, args=("stats_port=7071",))
    echo_run("""
        try:
            socket.create_connection((G, 7070), timeout=5)
            sys.exit("port 7070 answered with stats_port=0")
        except ConnectionRefusedError:
            pass
        echo(2)
        print("PASS")
    """, args=("stats_port=0",))


@needs_root
def test_worker_counters_of_two_polling_acceptors():
    """tests/apps/accept_workers: two pinned threads polling one non-blocking listener."""
    need("accept_workers")
    proc = run("--image", "accept_workers", "--smp", 2, "--net", "tap", "--host-cmd", host_py("""
        def served(port=9):
            c = socket.create_connection((G, port), timeout=20)
            c.sendall(b"hi")
            got = b""
            while True:             # "ok\\n", then EOF once the worker has closed
                b = c.recv(100)
                if not b:
                    break
                got += b
            assert got == b"ok\\n", got
            c.close()

        def reset(port=9):
            c = socket.create_connection((G, port), timeout=20)
            time.sleep(0.5)         # a worker has taken it and waits in recv
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()

        def totals(st, key):
            return sum(w[key] for w in st["workers"])

        before = stats()
        w = before["workers"]
        assert len(w) == 2 and sorted(x["cpu"] for x in w) == [0, 1], w   # pinned
        assert [x["worker"] for x in w] == [0, 1] and w[0]["tid"] != w[1]["tid"], w
        for _ in range(10):
            served()
        for _ in range(3):
            reset()
        time.sleep(0.5)             # the reset connections' workers close them
        after = stats()
        assert len(after["workers"]) == 2, after["workers"]
        d = {k: totals(after, k) - totals(before, k)
             for k in ("accepts", "handled", "errors", "spurious_wakeups")}
        assert d["accepts"] == 13 and d["handled"] == 13 and d["errors"] == 3, d
        # Both workers wait in epoll on the one listener: each connection
        # wakes both, and the loser's accept finds nothing, or its
        # epoll_wait wakes to nothing ready (at most one of the two per
        # connection and loser, with room for a stray wakeup of its own).
        assert 1 <= d["spurious_wakeups"] <= 26, (before, after)
        print("PASS")
    """), timeout=120)
    assert proc.returncode == 0, describe(proc)
    assert "PASS" in proc.stdout, describe(proc)


def test_bad_stats_options_are_reported():
    need("hello")
    proc = run("--image", "hello", "--", "stats_port=70000", "stats_at_exit=2", timeout=90)
    assert proc.returncode == 0, describe(proc)
    assert console_has(proc.stdout, r"cmdline: bad value for 'stats_port': must be a TCP port"), \
        describe(proc)
    assert console_has(proc.stdout, r"cmdline: bad value for 'stats_at_exit': must be 0 or 1"), \
        describe(proc)


def test_summary_at_app_exit():
    need("hello")
    proc = run("--image", "hello", "--smp", 2, timeout=90)
    assert proc.returncode == 0, describe(proc)
    out = proc.stdout
    assert console_has(out, r"app: exited with status 0"), describe(proc)
    assert console_has(out, r"squall stats: 2 cpus, tsc \d+ Hz"), describe(proc)
    assert console_has(out, r"Tcp: +ActiveOpens +PassiveOpens"), describe(proc)
    assert console_has(out, r"cpu +busy_cycles +idle_cycles +softirq_cycles"), describe(proc)
    assert out.index("app: exited") < out.index("squall stats:") < out.index("power off")

    quiet = run("--image", "hello", "--smp", 2, "--", "stats_at_exit=0", timeout=90)
    assert quiet.returncode == 0, describe(quiet)
    assert "squall stats:" not in quiet.stdout, describe(quiet)
