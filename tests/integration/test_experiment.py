"""scripts/experiment, apps/stormd and the Linux comparison guest.

- The experiment file parser: every malformed input is exit 2 with
  FILE:LINE and a reason, checked with --dry-run (no root, nothing runs);
  the plan gives both targets the same QEMU flags.
- stormd built for Linux, on the host: bad options are exit 2 with the usage
  line; in a private namespace (root) it serves crr, rr and http, and its
  counters (GET /stats on port 7070) agree with what storm saw.
- One short Linux-guest run end to end (root, Debian's linux-image-amd64
  installed): a 3 s crr storm, the report files, and numbers that add up;
  then Ctrl-C in the middle of a storm: exit 130, a partial report, nothing
  left behind.

Host traffic goes only to stormd or the guest inside namespaces named
squall-<pid>-..., removed on every path. Every storm is bounded by --duration
and a subprocess timeout. No assertion is about speed. About 40 s in all.
"""

import json
import os
import select
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = ROOT / "scripts" / "experiment"
STORMD = ROOT / "build" / "linux" / "stormd"
STORM = ROOT / "build" / "tools" / "storm"
IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (ip netns, tap)")
NS = f"squall-{os.getpid()}-stormd"


def make(*targets):
    """Build targets; through the fragment directly while the top Makefile
    does not include scripts/experiment.mk yet."""
    r = subprocess.run(["make", "-s", "--no-print-directory", *targets], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        r = subprocess.run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f",
                            "scripts/experiment.mk", *targets], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"make {' '.join(targets)} failed:\n{r.stdout}\n{r.stderr}"


def experiment(*args, timeout=60):
    return subprocess.run([str(EXPERIMENT), *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, cwd=ROOT)


def kernel_installed():
    r = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}",
                        "linux-image-amd64", "busybox-static"],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.count("ii") == 2


def netns_list():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def qemu_in(ns_prefix):
    """PIDs of QEMUs run with `ip netns exec NS...` for namespaces starting ns_prefix."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(a.startswith("qemu-system") for a in argv) and \
                any(a.startswith(ns_prefix) for a in argv):
            found.append(int(cmdline.parent.name))
    return found


# --- the experiment file ------------------------------------------------------

BAD_FILES = [
    ("frobnicate smp=2\n", 1, "unknown statement 'frobnicate'"),
    ("storm crr\n", 1, "a storm line before any guest line"),
    ("guest smp=2\n", 1, "this guest has no storm lines"),
    ("guest smp=2 colour=blue\nstorm crr\n", 1, "unknown key 'colour'"),
    ("guest smp=0\nstorm crr\n", 1, "smp: 0 is not in 1..64"),
    ("guest smp=65\nstorm crr\n", 1, "smp: 65 is not in 1..64"),
    ("guest smp=two\nstorm crr\n", 1, "smp: 'two' is not a whole number"),
    ("guest smp=1,1\nstorm crr\n", 1, "listed twice"),
    ("guest smp=2 smp=4\nstorm crr\n", 1, "'smp' given twice"),
    ("guest mode=herd\nstorm crr\n", 1, "'herd' is not one of"),
    ("guest mem=2,4\nstorm crr\n", 1, "mem: '2,4' is not a whole number"),
    ("guest\nstorm tcp\n", 2, "storm mode 'tcp' is not one of"),
    ("guest\nstorm duration=10\n", 2, "expected 'storm MODE KEY=VALUE"),
    ("guest\nstorm crr duration=700\n", 2, "not within"),
    ("guest\nstorm crr duration=10x\n", 2, "is not a time"),
    ("guest\nstorm crr connections=-1\n", 2, "connections: '-1' is not a number"),
    ("guest\nstorm crr repeat=0\n", 2, "repeat: 0 is not in 1..20"),
    ("guest\nstorm crr timeout\n", 2, "expected KEY=VALUE, got 'timeout'"),
    ("guest proto=rr\nstorm crr\n", 2, "a crr storm needs a guest with proto=crr"),
    ("guest proto=crr\nstorm rr\n", 2, "an rr storm needs a guest with proto=rr"),
    ("guest proto=http\nstorm hold\nstorm crr\n", 3, "needs a guest with proto=crr"),
    ('guest kernel="ip=1.2.3.4"\nstorm crr\n', 1, "set by the runner"),
    ('guest kernel="unterminated\nstorm crr\n', 1, "No closing quotation"),
    ("target bsd\nguest\nstorm crr\n", 1, "expected 'target squall' or 'target linux'"),
    ("target linux\ntarget squall\nguest\nstorm crr\n", 2, "a second target line"),
    ("# nothing but a comment\n\n", None, "no guest line"),
]


@pytest.mark.parametrize("text,line,message", BAD_FILES,
                         ids=[m.split("'")[0][:30].strip() or str(i)
                              for i, (_, _, m) in enumerate(BAD_FILES)])
def test_bad_experiment_file(tmp_path, text, line, message):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    r = experiment("--dry-run", f)
    assert r.returncode == 2, r.stderr
    where = f"{f}:{line}:" if line else f"{f}:"
    assert where in r.stderr and message in r.stderr, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("args,message", [
    (["--bogus"], "unrecognized arguments"),
    (["--target", "bsd"], "invalid choice"),
    (["--smp", "0"], "--smp: smp: 0 is not in 1..64"),
    (["--mode", "herd"], "'herd' is not one of"),
    (["--duration", "601"], "not within"),
    (["--connections", "many"], "is not a number"),
    (["--boot-timeout", "1"], "--boot-timeout"),
    (["/nonexistent/experiment.txt"], "No such file"),
    (["a.txt", "b.txt"], "unrecognized arguments"),
])
def test_bad_options(args, message):
    r = experiment("--dry-run", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr, r.stderr


def qemu_lines(out):
    return [line for line in out.splitlines() if " qemu-system-x86_64 " in line]


def test_matrix_plan():
    r = experiment("--dry-run", "--target", "linux", ROOT / "experiments" / "matrix.txt")
    assert r.returncode == 0, r.stderr
    lines = qemu_lines(r.stdout)
    assert len(lines) == 12
    for smp in (1, 2, 4):
        mine = [l for l in lines if f" -smp {smp} " in l]
        assert len(mine) == 4
        for l in mine:
            assert f"queues={smp}," in l
            assert (f"mq=on,vectors={2 * smp + 2}" in l) == (smp > 1)
    for mode in ("reuseport", "shared", "shared-exclusive", "accept"):
        assert sum(f"app={mode} " in l for l in lines) == 3
    storms = [l for l in r.stdout.splitlines() if "/storm crr " in l]
    assert len(storms) == 12 and all(" -d 10 -c 32 " in s for s in storms)


def test_same_qemu_flags_for_both_targets():
    """Only the boot files differ between the targets' QEMU commands."""
    plans = {}
    for target in ("squall", "linux"):
        r = experiment("--dry-run", "--target", target)
        assert r.returncode == 0, r.stderr
        (line,) = qemu_lines(r.stdout)
        words = shlex.split(line.rstrip(" &"))
        for flag in ("-kernel", "-initrd", "-append"):
            if flag in words:
                i = words.index(flag)
                del words[i:i + 2]
        plans[target] = [w for w in words if not w.startswith("squall-")]
    assert plans["squall"] == plans["linux"]
    assert "-smp" in plans["linux"] and "tcg,thread=multi" in plans["linux"]


def test_overrides_and_default(tmp_path):
    f = tmp_path / "e.txt"
    f.write_text("target linux\nguest smp=1 mode=shared\nstorm crr duration=20 repeat=2\n")
    r = experiment("--dry-run", "--smp", "2,4", "--duration", "3", f)
    assert r.returncode == 0, r.stderr
    lines = qemu_lines(r.stdout)
    assert len(lines) == 2 and " -smp 2 " in lines[0] and " -smp 4 " in lines[1]
    assert all("vmlinux" in l for l in lines)           # the file's target line
    assert all("app=shared" in l for l in lines)
    assert r.stdout.count(" -d 3 ") == 2 and "# x2" in r.stdout


# --- stormd on the host -------------------------------------------------------

@pytest.fixture(scope="module")
def stormd_built():
    make("stormd-linux", "storm-tool")
    return STORMD


@pytest.mark.parametrize("args,message", [
    (["--mode", "herd"], "--mode 'herd'"),
    (["--proto", "ftp"], "--proto 'ftp'"),
    (["--port", "0"], "--port '0'"),
    (["--port", "65536"], "--port '65536'"),
    (["--port", "80x"], "--port '80x'"),
    (["--workers", "0"], "--workers '0'"),
    (["--workers", "257"], "--workers '257'"),
    (["--request-size", "5000"], "--request-size '5000'"),
    (["--response-size", "-1"], "--response-size '-1'"),
    (["--addr", "10.0.0"], "--addr '10.0.0'"),
    (["--addr", "1.2.3.256"], "--addr '1.2.3.256'"),
    (["--port"], "option '--port' needs a value"),
    (["--frobnicate"], "unknown option '--frobnicate'"),
    (["-x"], "unknown option '-x'"),
    (["reuseport"], "unexpected argument 'reuseport'"),
    (["--proto", "rr", "--request-size", "64"], "--request-size applies to --proto crr"),
    (["--proto", "rr", "--response-size", "64"], "--response-size does not apply"),
    (["--stats-port", "8080"], "--stats-port and --port"),
    (["--lifetime", "1e3"], "--lifetime '1e3'"),
])
def test_stormd_bad_options(stormd_built, args, message):
    r = subprocess.run([str(STORMD), *args], capture_output=True, text=True, timeout=10,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "usage: stormd" in r.stderr, r.stderr
    assert r.stdout == ""


def test_stormd_help(stormd_built):
    r = subprocess.run([str(STORMD), "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and "--mode" in r.stdout and "READY" in r.stdout


@pytest.fixture(scope="module")
def host_ns(stormd_built):
    if not IS_ROOT:
        pytest.skip("needs root for ip netns")
    subprocess.run(["ip", "netns", "add", NS], check=True, capture_output=True, timeout=10)
    try:
        subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"], check=True, timeout=10)
        yield NS
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", NS], capture_output=True,
                                  text=True, timeout=10).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)   # only what this module started
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", NS], capture_output=True, timeout=10)


class Stormd:
    """stormd in the namespace, until the end of the with block."""

    def __init__(self, *args):
        self.p = subprocess.Popen(["ip", "netns", "exec", NS, str(STORMD), "--lifetime", "30",
                                   *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        line = self.p.stdout.readline()
        assert line.startswith("READY "), f"no READY: {line!r} {self.p.stderr.read()}"
        self.ready = line

    def stats(self):
        return json.loads(nsrun(["python3", "-c", FETCH]).stdout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.p.kill()
        self.p.communicate(timeout=10)


FETCH = ("import urllib.request, sys; "
         "sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:7070/stats', "
         "timeout=5).read().decode())")


def nsrun(argv, timeout=30):
    r = subprocess.run(["ip", "netns", "exec", NS, *map(str, argv)], capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{argv}: {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def storm_json(*args):
    return json.loads(nsrun([STORM, *args, "--json", "--no-live"], timeout=30).stdout)


@pytest.mark.parametrize("mode", ["reuseport", "shared", "shared-exclusive", "accept"])
def test_stormd_crr_counts(host_ns, mode):
    with Stormd("--mode", mode, "--workers", "2", "-q") as s:
        before = s.stats()
        res = storm_json("crr", "-t", "127.0.0.1:8080", "-d", "1", "-c", "16", "-T", "1")
        time.sleep(0.3)
        after = s.stats()
    assert res["ok"] and res["errors"]["total"] == 0 and res["ops"] > 0
    tb, ta = before["stormd"]["total"], after["stormd"]["total"]
    accepts = ta["accepts"] - tb["accepts"]
    # every established connection, and storm's test connection, was accepted
    assert res["connects"]["established"] <= accepts <= res["connects"]["attempted"] + 1
    assert ta["requests"] - tb["requests"] >= res["ops"]
    assert ta["open"] == 0
    per = [a["accepts"] - b["accepts"] for b, a in zip(before["stormd"]["workers"],
                                                        after["stormd"]["workers"])]
    assert sum(per) == accepts and len(per) == 2
    if mode == "reuseport":
        assert min(per) >= accepts / 4, per         # at least 1/(2N) each
    assert after["snmp"]["Tcp"]["PassiveOpens"] > before["snmp"]["Tcp"]["PassiveOpens"]
    assert after["stat"]["cpu"]["user"] >= before["stat"]["cpu"]["user"]
    assert after["stormd"]["mode"] == mode


def test_stormd_close_after_on_linux(host_ns):
    # The Squall test's twin (test_stormd.py): worker 1's listener leaves the
    # group mid-storm; what it accepted is served, worker 0 goes on alone.
    with Stormd("--workers", "2", "--close-after", "500") as s:
        before = s.stats()
        res = storm_json("crr", "-t", "127.0.0.1:8080", "-d", "2", "-c", "16", "-T", "1")
        time.sleep(0.3)
        after = s.stats()
    assert res["ops"] > 0 and res["errors"]["total"] == res["errors"]["reset"], res["errors"]
    # stormd's own books: every accepted connection was served, ended in an
    # error (storm cancels its in-flight ones at the end), or is still open
    per = [(a["accepts"] - b["accepts"], a["handled"] - b["handled"] + a["errors"] - b["errors"]
            + a["open"] - b["open"])
           for b, a in zip(before["stormd"]["workers"], after["stormd"]["workers"])]
    assert all(acc == done for acc, done in per), per
    assert per[0][0] > per[1][0], per
    assert after["stormd"]["total"]["open"] == 0


def test_stormd_rr_and_http(host_ns):
    with Stormd("--proto", "rr", "-q") as s:
        res = storm_json("rr", "-t", "127.0.0.1:8080", "-d", "1", "-c", "4", "-T", "1")
        assert res["ok"] and res["errors"]["total"] == 0 and res["ops"] > 0
        assert s.stats()["stormd"]["total"]["bytes_in"] >= res["bytes"]["sent"]
    with Stormd("--proto", "http", "--response-size", "300", "-q"):
        code = (
            "import http.client\n"
            "c = http.client.HTTPConnection('127.0.0.1', 8080, timeout=5)\n"
            "for i in range(3):\n"
            "    c.request('GET', '/x'); r = c.getresponse(); assert r.status == 200\n"
            "    assert len(r.read()) == 300\n"
            "c.request('POST', '/y', body=b'z' * 5000); r = c.getresponse()\n"
            "assert r.status == 200 and len(r.read()) == 300\n"
            "c.request('HEAD', '/'); r = c.getresponse(); assert r.status == 200\n"
            "r.read()\n"
            "print('ok')\n")
        assert nsrun(["python3", "-c", code]).stdout.strip() == "ok"
        text = nsrun(["python3", "-c", FETCH.replace("/stats", "/")]).stdout
        assert "accepts" in text and "Tcp:" in text


# --- the Linux guest end to end -----------------------------------------------

@pytest.fixture(scope="module")
def linux_guest(stormd_built):
    if not IS_ROOT:
        pytest.skip("needs root (a network namespace and a tap)")
    if not kernel_installed():
        pytest.skip("Debian's linux-image-amd64 and busybox-static are not installed "
                    "(scripts/setup installs them)")
    make("linux-guest")


def test_linux_guest_storm_report(linux_guest, tmp_path):
    out = tmp_path / "report"
    r = experiment("--target", "linux", "--duration", "3", "--out", out, timeout=120)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    assert "| 1 | 2 | reuseport | crr 3s c=32 |" in r.stdout
    assert f"report: {out}/" in r.stdout
    for name in ("results.json", "summary.md", "console-0.log"):
        assert (out / name).is_file(), name
    if subprocess.run(["which", "gnuplot"], capture_output=True).returncode == 0:
        for name in ("cps_vs_vcpus.png", "latency_cdf.png", "accepts_per_worker.png",
                     "cpu_per_conn.png"):
            assert (out / name).stat().st_size > 1000, name
    results = json.loads((out / "results.json").read_text())
    assert results["target"] == "linux" and not results["errors"]
    (guest,) = results["guests"]
    assert guest["smp"] == 2 and guest["ready_line"].startswith("READY stormd")
    (rec,) = guest["storms_run"]
    res, d = rec["result"], rec["derived"]
    assert rec["exit_status"] == 0 and res["ok"] and res["ops"] > 0
    # storm's books and the guest's agree
    assert res["started"] == res["ops"] + res["failed"] + res["cancelled"]
    assert res["latency_us"]["count"] == res["ops"] == res["responses"]
    assert res["connects"]["established"] <= d["accepts"] <= res["connects"]["attempted"] + 1
    assert sum(d["accepts_per_worker"]) == d["accepts"] and len(d["accepts_per_worker"]) == 2
    assert abs(d["tcp"]["PassiveOpens"] - d["accepts"]) <= 2
    assert d["spurious_wakeups"] == 0                   # reuseport
    cpu = d["guest_cpu"]
    assert cpu["busy_s"] > 0 and len(cpu["per_cpu_busy_s"]) == 2
    assert d["cpu_per_conn_us"] == pytest.approx(cpu["busy_s"] * 1e6 / d["accepts"], rel=0.01)
    assert d["conn_per_s"] == res["ops_per_s"]
    assert guest["namespace"] not in netns_list()
    assert not qemu_in(guest["namespace"])


def test_linux_guest_ctrl_c(linux_guest, tmp_path):
    out = tmp_path / "report"
    p = subprocess.Popen([str(EXPERIMENT), "--target", "linux", "--duration", "20",
                          "--out", str(out), "--no-plots"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        err = ""
        while "READY after" not in err:
            assert time.monotonic() < deadline and p.poll() is None, err
            if select.select([p.stderr], [], [], 0.5)[0]:
                err += p.stderr.readline()
        time.sleep(2)                                   # into the storm
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        stdout, rest = p.communicate(timeout=30)
        assert time.monotonic() - t0 < 15
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 130, err + rest
    results = json.loads((out / "results.json").read_text())
    assert "SIGINT" in results["interrupted"]
    (rec,) = results["guests"][0]["storms_run"]
    assert rec["result"]["stopped_by"] == "signal" and rec["result"]["ops"] > 0
    ns = f"squall-{p.pid}-"
    assert not [n for n in netns_list() if n.startswith(ns)]
    assert not qemu_in(ns)


@needs_root
def test_squall_storm_report(tmp_path):
    # make storm's default experiment against Squall's stormd image, shortened.
    if not (ROOT / "build" / "images" / "stormd.elf").is_file():
        make("images")
    if not (ROOT / "build" / "tools" / "storm").is_file():
        make("storm-tool")
    out = tmp_path / "report"
    r = experiment("--target", "squall", "--duration", "3", "--no-plots", "--out", out,
                   timeout=120)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    assert "| 1 | 2 | reuseport | crr 3s c=32 |" in r.stdout
    results = json.loads((out / "results.json").read_text())
    assert results["target"] == "squall" and not results["errors"]
    (guest,) = results["guests"]
    assert guest["ready_line"].startswith("READY stormd")
    (rec,) = guest["storms_run"]
    res, d = rec["result"], rec["derived"]
    assert rec["exit_status"] == 0 and res["ok"] and res["ops"] > 0
    assert res["errors"]["total"] == 0
    # the kernel's books agree with storm's: every connection accepted once
    assert res["connects"]["established"] <= d["accepts"] <= res["connects"]["attempted"] + 1
    assert len(d["accepts_per_worker"]) == 2 and min(d["accepts_per_worker"]) > 0
    assert abs(d["tcp"]["PassiveOpens"] - d["accepts"]) <= 2
    cpu = d["guest_cpu"]
    assert cpu["busy_s"] > 0 and len(cpu["per_cpu_busy_s"]) == 2
    assert d["cpu_per_conn_us"] > 0 and 0 < d["softirq_share"] < 1
    assert guest["namespace"] not in netns_list()
    assert not qemu_in(guest["namespace"])
