"""scripts/netns.py: the host side of `scripts/run --net tap`.

scripts/run imports this module; it is also a tiny program of its own,
`netns.py capture IFACE FILE`, the packet recorder behind --pcap on a tap
(QEMU 7.2's filter-dump refuses multiqueue netdevs and, on a tap, writes the
virtio-net header in front of every frame).

The plan, all of it inside a network namespace private to one run:

    ip netns add squall-PID                  PID: scripts/run's, so runs never collide
    ip -n NS link set lo up
    ip -n NS tuntap add dev sqtap0 mode tap [multi_queue]   multi_queue iff queues > 1,
                                             as QEMU opens it (else "flags mismatch")
    ip -n NS addr add 10.77.0.1/24 dev sqtap0
    sysctls in NS: no IPv6 on sqtap0 (no RS/MLD frames for the guest), the
                   whole local port range and tcp_tw_reuse (for storms)
    ip -n NS link set sqtap0 up
    ... QEMU, the recorder and the host command run under `ip netns exec NS` ...
    kill whatever still runs in NS, ip -n NS link del sqtap0, ip netns del NS

Namespace is a context manager for that: entering it creates everything
(Fail 125 when a step fails, after undoing the steps before), leaving it
removes everything, whatever the reason for leaving.
"""

import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

HOST_IP = "10.77.0.1"
GUEST_IP = "10.77.0.2"
PREFIX_LEN = 24
GATEWAY = HOST_IP
TAP = "sqtap0"
NETNS_DIR = Path("/run/netns")
SYSCTLS = (("net.ipv4.ip_local_port_range", "1024 65535"),
           ("net.ipv4.tcp_tw_reuse", "1"))
IP_TIMEOUT = 10                 # seconds for one `ip` or `sysctl` command
CAPTURE_START = 5               # seconds for the recorder to say it listens
KILL_GRACE = 2.0
DEL_TRIES = 5                   # `ip netns del` attempts, 0.2 s apart

PCAP_MAGIC = 0xA1B2C3D4         # microsecond timestamps, written little-endian
SNAPLEN = 65535
LINKTYPE_ETHERNET = 1
ETH_P_ALL = 0x0003


def name_for(pid):
    return f"squall-{pid}"


def inside(ns, argv):
    """argv run inside ns."""
    return ["ip", "netns", "exec", ns, *argv]


def setup_commands(ns, queues):
    """The commands after `ip netns add ns`, in order."""
    mq = ["multi_queue"] if queues > 1 else []
    sysctl = ["sysctl", "-qw"]
    return [
        ["ip", "-n", ns, "link", "set", "lo", "up"],
        ["ip", "-n", ns, "tuntap", "add", "dev", TAP, "mode", "tap", *mq],
        ["ip", "-n", ns, "addr", "add", f"{HOST_IP}/{PREFIX_LEN}", "dev", TAP],
        inside(ns, sysctl + [f"net.ipv6.conf.{TAP}.disable_ipv6=1"]),
        *(inside(ns, sysctl + [f"{key}={value}"]) for key, value in SYSCTLS),
        ["ip", "-n", ns, "link", "set", TAP, "up"],
    ]


def add_command(ns):
    return ["ip", "netns", "add", ns]


def teardown_commands(ns):
    return [["ip", "-n", ns, "link", "del", TAP], ["ip", "netns", "del", ns]]


def capture_command(ns, path):
    """The recorder for --pcap on a multi-queue tap."""
    return inside(ns, [sys.executable, "-B", str(Path(__file__).resolve()),
                       "capture", TAP, str(path)])


def ip(argv):
    """Run one setup/teardown command; (ok, its stderr)."""
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=IP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, f"no answer in {IP_TIMEOUT} s"
    return done.returncode == 0, done.stderr.strip()


def stop_group(proc, grace=KILL_GRACE):
    """SIGTERM proc's process group (proc leads it), SIGKILL after grace."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass


class Namespace:
    """squall-PID with its tap, for one run. fail(message) builds the
    exception to raise when setting up fails; check() is called between
    steps (scripts/run raises there on a stop signal)."""

    def __init__(self, queues, fail, check=lambda: None, pid=None):
        self.name = name_for(pid or os.getpid())
        self.queues, self.fail, self.check = queues, fail, check
        self.created = False
        self.recorder = None

    def __enter__(self):
        try:
            self.create()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc):
        self.remove()
        return False

    def create(self):
        ok, err = ip(add_command(self.name))
        if not ok:
            hint = ""
            if (NETNS_DIR / self.name).exists():
                hint = f" (left over from a killed run? 'ip netns del {self.name}')"
            raise self.fail(f"ip netns add {self.name} failed: {err}{hint}")
        self.created = True
        for argv in setup_commands(self.name, self.queues):
            self.check()
            ok, err = ip(argv)
            if not ok:
                raise self.fail(f"{' '.join(argv)} failed: {err}")

    def record(self, path):
        """Start the recorder on the tap; return once it listens."""
        self.recorder = subprocess.Popen(
            capture_command(self.name, path), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + CAPTURE_START
        line = b""
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            self.check()
            readable, _, _ = select.select([self.recorder.stdout], [], [], 0.1)
            if readable:
                chunk = os.read(self.recorder.stdout.fileno(), 64)
                if not chunk:
                    break
                line += chunk
        if line != b"capturing\n":
            raise self.fail(f"the packet recorder for {path} did not start")

    def stop_recorder(self):
        if self.recorder:
            stop_group(self.recorder)
            self.recorder.stdout.close()
            self.recorder = None

    def pids(self):
        """PIDs of the processes inside the namespace."""
        try:
            done = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL, timeout=IP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return []
        return [int(word) for word in done.stdout.split() if word.isdigit()]

    def kill_leftovers(self):
        """SIGKILL what still runs in the namespace: only this run's processes
        can be there (a daemon a host command left behind, say)."""
        for pid in self.pids():
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def remove(self):
        """Undo create(); safe to call at any point, and twice."""
        self.stop_recorder()
        if not self.created:
            return
        self.kill_leftovers()
        link_del, netns_del = teardown_commands(self.name)
        ip(link_del)
        for _ in range(DEL_TRIES):
            ok, err = ip(netns_del)
            if ok or not (NETNS_DIR / self.name).exists():
                self.created = False
                return
            time.sleep(0.2)
        print(f"scripts/run: warning: could not remove namespace {self.name}: {err}; "
              f"remove it with 'ip netns del {self.name}'", file=sys.stderr)


# --- the recorder ----------------------------------------------------------

def capture(iface, path):
    """Write every frame iface sends or receives to path (pcap) until
    SIGTERM/SIGINT or until the parent (scripts/run) goes away."""
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))
    parent = os.getppid()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((iface, 0))
    sock.settimeout(0.2)
    buf = bytearray(SNAPLEN)
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN,
                              LINKTYPE_ETHERNET))
        out.flush()
        print("capturing", flush=True)
        while not stopping and os.getppid() == parent:
            write_frame(out, sock, buf)
        sock.setblocking(False)
        for _ in range(100000):         # what queued before the stop
            if not write_frame(out, sock, buf):
                break
    return 0


def write_frame(out, sock, buf):
    """Copy one frame from sock to out; False if none came."""
    try:
        size = sock.recv_into(buf, SNAPLEN, socket.MSG_TRUNC)
    except (socket.timeout, BlockingIOError, InterruptedError):
        return False
    now = time.time()
    kept = min(size, SNAPLEN)
    out.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6), kept, size))
    out.write(buf[:kept])
    out.flush()
    return True


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "capture":
        sys.exit("usage: netns.py capture IFACE FILE")
    sys.exit(capture(sys.argv[2], sys.argv[3]))
