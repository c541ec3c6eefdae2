"""dvlib — start divergenced on 127.0.0.1 (port 0), read its log lines, talk raw HTTP.

Shared by tests/abuse/*.py and tests/soak/soak.py. Everything here targets loopback only,
has a timeout, and stops the daemons it started (by PID) at exit.
"""
import atexit
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

_started = []


def _stop_all():
    for p in _started:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_stop_all)


class Daemon:
    """A daemon with --bind 127.0.0.1 --port 0; .port, .lines (stdout log lines)."""

    def __init__(self, binary, *args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("DIVERGENCED_")}
        if env:
            e.update(env)
        cmd = [binary, "--bind", "127.0.0.1", "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=e)
        _started.append(self.proc)
        self.lines = []
        self.err = []
        self._cv = threading.Condition()
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err),
                         daemon=True).start()
        self.port = None
        deadline = time.time() + 15
        while time.time() < deadline and self.port is None:
            with self._cv:
                for ln in self.lines:
                    m = re.search(r" info listening .*\bport=(\d+)", ln)  # --log-format text
                    if m:
                        self.port = int(m.group(1))
                        continue
                    try:
                        j = json.loads(ln)
                    except ValueError:
                        continue
                    if j.get("msg") == "listening":
                        self.port = j["port"]
                if self.port is None:
                    self._cv.wait(0.1)
            if self.proc.poll() is not None:
                break
        if self.port is None:
            raise RuntimeError("daemon did not start: %r %r" % (self.lines, self.err))

    def _read(self, f, into):
        for raw in f:
            with self._cv:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cv.notify_all()

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def wait_lines(self, pred, timeout=5.0, count=1):
        """The log lines (parsed) for which pred holds, after waiting up to timeout for
        `count` of them."""
        deadline = time.time() + timeout
        while True:
            with self._cv:
                got = []
                for ln in self.lines:
                    try:
                        j = json.loads(ln)
                    except ValueError:
                        continue
                    if pred(j):
                        got.append(j)
                if len(got) >= count or time.time() >= deadline:
                    return got
                self._cv.wait(0.05)

    def connect(self, timeout=10.0):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s


def request_bytes(method, path, body=None, headers=None, ctype="application/json"):
    h = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
    if body is not None:
        if isinstance(body, str):
            body = body.encode()
        h.append("Content-Type: " + ctype)
        h.append("Content-Length: %d" % len(body))
    for k, v in (headers or {}).items():
        h.append("%s: %s" % (k, v))
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + (body or b"")


class Reader:
    """Reads HTTP/1.1 responses off one socket, in order."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def response(self, head=False):
        """(status, headers dict lower-case, body bytes); EOFError if closed first."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        hdr, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = hdr.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        if head or status in (204, 304) or status < 200:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                n = int(size_line.split(b";")[0], 16)
                while len(self.buf) < n + 2:
                    self._fill()
                body += self.buf[:n]
                self.buf = self.buf[n + 2:]
                if n == 0:
                    return status, headers, body
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def closed(self, timeout=5.0):
        """True when the peer closes (EOF or reset) within timeout, nothing else arriving."""
        self.s.settimeout(timeout)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
                self.buf += d
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def exchange(d, method, path, body=None, headers=None, timeout=10.0, ctype="application/json"):
    """One request on a fresh connection: (status, headers, body)."""
    s = d.connect(timeout)
    try:
        s.sendall(request_bytes(method, path, body, headers, ctype))
        return Reader(s).response(head=(method == "HEAD"))
    finally:
        s.close()


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class Checks:
    """Counts pass/fail and prints one line per check."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("  ok   %s" % what, flush=True)
        else:
            self.failed += 1
            print("  FAIL %s %s" % (what, detail), flush=True)
        return cond

    def done(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1
