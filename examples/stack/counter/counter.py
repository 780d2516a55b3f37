#!/usr/bin/env python3
"""The example stack's web application: a counter kept on the guest's disk.

GET /         the count, as a small page
GET /count    the count, as a number
POST /count   adds one and returns the new count
GET /health   200 once the disk is readable and writable
Replicas share the disk; an increment holds an exclusive lock on it.
Listens on $TAPPAAS_PORT_HTTP (default 8080); the disk is $TAPPAAS_DATA.
"""
import fcntl
import http.server
import os
import tempfile

DATA = os.environ.get("TAPPAAS_DATA", ".")
PORT = int(os.environ.get("TAPPAAS_PORT_HTTP", "8080"))
FILE = os.path.join(DATA, "count")
VERSION = os.environ.get("COUNTER_VERSION", "v1")
LOCK_FILE = os.path.join(DATA, ".lock")  # replicas share the disk: one increment at a time across all of them


def read():
    try:
        with open(FILE) as f:
            return int(f.read().strip() or "0")
    except FileNotFoundError:
        return 0


def write(value, path=FILE):
    fd, tmp = tempfile.mkstemp(dir=DATA)
    with os.fdopen(fd, "w") as f:
        f.write(str(value))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body, kind="text/plain"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            try:
                read()
                write("ok", os.path.join(DATA, ".health"))  # writable, without touching the count
                self.reply(200, "ok\n")
            except OSError as e:
                self.reply(503, f"disk not writable: {e}\n")
        elif self.path == "/count":
            self.reply(200, f"{read()}\n")
        elif self.path == "/":
            self.reply(200, f"<!doctype html><title>counter</title><h1>{read()}</h1><p>counter {VERSION} on {os.uname().nodename}</p>\n", "text/html")
        else:
            self.reply(404, "not found\n")

    def do_POST(self):
        if self.path == "/count":
            with open(LOCK_FILE, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                value = read() + 1
                write(value)
            self.reply(200, f"{value}\n")
        else:
            self.reply(404, "not found\n")

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    print(f"counter {VERSION} listening on {PORT}, data in {DATA}", flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
