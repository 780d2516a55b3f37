#!/usr/bin/env python3
"""The example stack's second application: a board that shows the counter's count.

It uses the service the counter module provides (counter:web) at $COUNTER_URL, found through the site DNS.
GET /         a page with the counter's current count
GET /health   200 while this process serves (liveness)
GET /ready    200 once the counter answers (readiness: the proxy sends traffic only then)
Listens on $TAPPAAS_PORT_HTTP (default 8090).
"""
import http.server
import os
import urllib.request

PORT = int(os.environ.get("TAPPAAS_PORT_HTTP", "8090"))
COUNTER = os.environ.get("COUNTER_URL", "http://counter.srvHome.internal:8080")


def count():
    with urllib.request.urlopen(COUNTER + "/count", timeout=2) as r:
        return r.read().decode().strip()


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
            self.reply(200, "ok\n")
        elif self.path in ("/", "/ready"):
            try:
                value = count()
            except OSError as e:
                self.reply(503, f"the counter at {COUNTER} does not answer: {e}\n")
                return
            if self.path == "/ready":
                self.reply(200, "ok\n")
            else:
                self.reply(200, f"<!doctype html><title>board</title><p>the counter has counted <b>{value}</b></p>\n", "text/html")
        else:
            self.reply(404, "not found\n")

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    print(f"board listening on {PORT}, counter at {COUNTER}", flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
