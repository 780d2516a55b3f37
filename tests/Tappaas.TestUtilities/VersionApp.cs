namespace Tappaas.TestUtilities;

/// <summary>A small HTTP application for guests under load: GET / answers $APP_VERSION, GET /health answers ok, anything else 404.</summary>
public static class VersionApp
{
    /// <summary>The program (python3), listening on $TAPPAAS_PORT_HTTP with keep-alive.</summary>
    public const string Script = """
        import http.server, os
        VERSION = os.environ["APP_VERSION"].encode()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = b"ok" if self.path == "/health" else VERSION if self.path == "/" else None
                self.send_response(200 if body else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["TAPPAAS_PORT_HTTP"])), Handler).serve_forever()
        """;
}
