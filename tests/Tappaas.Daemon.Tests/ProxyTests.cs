using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>The reverse proxy: TLS from the site CA verified against the exported root, zone access, redirects, readiness.</summary>
public sealed class ProxyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_proxied_module_is_served_over_tls_from_the_site_ca_to_allowed_zones_only()
    {
        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d2", 200), (https, http));
        var platform = h.Embedded;
        var shop = Module("shop", "shop.example.org", "[\"mgmt\"]");
        var closed = Module("closed", "closed.example.org", "[\"home\"]");
        File.WriteAllText(Path.Combine(h.Repository, "headers.py"), HeaderServer);
        var (guestHost, keptHost) = (HeaderEcho("hdr", preserveHost: false), HeaderEcho("hdrkeep", preserveHost: true));
        var all = new[] { shop, closed, guestHost, keptHost };
        var requests = all.Select(m => new ProviderRequest(m, ServiceRef.Parse("cluster:vm"), h.Repository, h.Layout.Root, HookFlags.None)).ToList();
        try
        {
            foreach (var (module, request) in all.Zip(requests))
            {
                File.WriteAllText(h.Layout.ModuleFile(module.Name), JsonText.Write(module.Root));
                Assert.True((await platform.Vm.InstallAsync(request, Ct)).Succeeded);
            }

            var rootPem = await h.Client().GetStringAsync("/api/v1/ca.crt", Ct); // public: no token
            using var root = X509Certificate2.CreateFromPem(rootPem);
            using var client = SiteHttps.Client(https, root);

            var page = await WaitForAsync(client, "https://shop.example.org/", HttpStatusCode.OK);
            Assert.Contains("Directory listing", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // The proxy's own costs on its control socket (bench/run proxy divides their growth by the requests it sent).
            using (var control = new HttpClient(Client.LocalSocket.Handler(Composition.DataPlane.ControlSocket(h.Layout.Root))))
            {
                var before = System.Text.Json.Nodes.JsonNode.Parse(await control.GetStringAsync("http://proxy/runtime", Ct))!;
                for (var i = 0; i < 20; i++)
                {
                    (await client.GetAsync("https://shop.example.org/", Ct)).EnsureSuccessStatusCode();
                }

                var after = System.Text.Json.Nodes.JsonNode.Parse(await control.GetStringAsync("http://proxy/runtime", Ct))!;
                Assert.True(after["allocatedBytes"]!.GetValue<long>() > before["allocatedBytes"]!.GetValue<long>() + (20 * 100), $"{before} -> {after}");
                Assert.True(after["cpuMilliseconds"]!.GetValue<double>() > 0 && after["cpuMilliseconds"]!.GetValue<double>() >= before["cpuMilliseconds"]!.GetValue<double>(), $"{before} -> {after}");
                Assert.True(after["threads"]!.GetValue<int>() > 1);

                // The proxy runs with dynamic PGO, which the daemon's runtime configuration turns off for itself.
                var pid = Composition.DataPlane.Running(h.Layout.Root)!.Pid;
                Assert.Contains("DOTNET_TieredPGO=1", File.ReadAllText($"/proc/{pid}/environ").Split('\0'));
                var runtimeConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "tappaasd.runtimeconfig.json")))!;
                Assert.False(runtimeConfig["runtimeOptions"]!["configProperties"]!["System.Runtime.TieredPGO"]!.GetValue<bool>());
            }

            // What a guest is told: who asked (the client's address, not one the client claims), over what, for which name.
            var headers = await HeadersAsync(client, "https://hdr.example.org/", claimedFor: "203.0.113.9");
            Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);
            Assert.Equal("127.0.0.1", headers["X-Real-IP"]);
            Assert.False(headers.ContainsKey("Forwarded"), "the client's Forwarded header reached the guest");
            Assert.Equal("https", headers["X-Forwarded-Proto"]);
            Assert.Equal("hdr.example.org", headers["X-Forwarded-Host"]);
            Assert.StartsWith("10.", headers["Host"], StringComparison.Ordinal); // the guest's own address and port
            Assert.Equal("hdrkeep.example.org", (await HeadersAsync(client, "https://hdrkeep.example.org/"))["Host"]);

            var forbidden = await client.GetAsync("https://closed.example.org/", Ct);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains("this client is in mgmt", await forbidden.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = SiteHttps.ConnectTo(http) });
            var redirect = await plain.GetAsync("http://shop.example.org/x?y=1", Ct);
            Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
            Assert.Equal($"https://shop.example.org:{https}/x?y=1", redirect.Headers.Location?.ToString());
            var elsewhere = await plain.GetAsync("http://evil.example.net/login", Ct); // not a name of the site: no redirect there
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
            Assert.Null(elsewhere.Headers.Location);

            // A guest that is not ready leaves the rotation.
            await h.Embedded.Runtime.StopAsync("shop-0", Ct);
            await WaitForAsync(client, "https://shop.example.org/", HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            foreach (var request in requests)
            {
                await platform.Vm.DeleteAsync(request, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Guests_reach_the_proxy_on_their_gateway_by_name_and_only_allowed_zones_get_the_page()
    {
        if (!Platform.Embedded.EmbeddedPlatform.CanIsolate)
        {
            Assert.Skip(Prerequisites.Missing("root with iproute2, nftables and dnsmasq (zone networking)"));
        }

        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d3", 210), (https, http), listenAll: true);
        var platform = h.Embedded;
        var modules = new[]
        {
            Module("shop", "shop.example.org", "[\"home\"]"),
            Sleeper("athome", "home"),
            Sleeper("atwork", "work"),
        };
        var requests = modules.Select(m => new ProviderRequest(m, ServiceRef.Parse("cluster:vm"), h.Repository, h.Layout.Root, HookFlags.None)).ToList();
        try
        {
            foreach (var (module, request) in modules.Zip(requests))
            {
                File.WriteAllText(h.Layout.ModuleFile(module.Name), JsonText.Write(module.Root));
                Assert.True((await platform.Vm.InstallAsync(request, Ct)).Succeeded);
            }

            var proxy = h.Service<Proxy.ProxyProcess>();
            for (var i = 0; i < 50 && !(await proxy.RoutesAsync(Ct)).Any(r => r.Host == "shop.example.org" && r.Guests.Count > 0); i++)
            {
                await Task.Delay(100, Ct); // routes follow the site within a second
            }

            var root = Path.Combine(h.Layout.Root, "root.pem");
            await File.WriteAllTextAsync(root, await h.Client().GetStringAsync("/api/v1/ca.crt", Ct), Ct);
            Assert.Equal("200", await FetchFromGuestAsync(platform, "athome-0", $"https://shop.example.org:{https}/", root));
            Assert.Equal("403", await FetchFromGuestAsync(platform, "atwork-0", $"https://shop.example.org:{https}/", root));
        }
        finally
        {
            foreach (var request in requests)
            {
                await platform.Vm.DeleteAsync(request, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task WebSockets_pass_through_the_proxy()
    {
        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d7", 130), (https, http));
        var platform = h.Embedded;
        File.WriteAllText(Path.Combine(h.Repository, "echo.py"), EchoServer);
        var echo = new ModuleDefinition("echo", "echo.json", (JObject)JsonSource.Parse("echo", Encoding.UTF8.GetBytes(
            "{\"vmid\": 492, \"zone0\": \"srvHome\", \"proxyDomain\": \"echo.example.org\", \"proxyPort\": 8080, \"proxyAllowedZones\": [\"mgmt\"], " +
            "\"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/usr/bin/python3\", \"args\": [\"-u\", \"echo.py\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"}}}}")).Root!);
        var request = new ProviderRequest(echo, ServiceRef.Parse("cluster:vm"), h.Repository, h.Layout.Root, HookFlags.None);
        try
        {
            File.WriteAllText(h.Layout.ModuleFile("echo"), JsonText.Write(echo.Root));
            Assert.True((await platform.Vm.InstallAsync(request, Ct)).Succeeded);
            var proxy = h.Service<Proxy.ProxyProcess>();
            for (var i = 0; i < 50 && (await proxy.RoutesAsync(Ct)).FirstOrDefault(r => r.Module == "echo")?.Guests.Count != 1; i++)
            {
                await Task.Delay(100, Ct);
            }

            using var root = X509Certificate2.CreateFromPem(await h.Client().GetStringAsync("/api/v1/ca.crt", Ct));
            using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = SiteHttps.ConnectTo(https),
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Client.SiteTrust.Validator(root) },
            });
            using var socket = new System.Net.WebSockets.ClientWebSocket();
            await socket.ConnectAsync(new Uri("wss://echo.example.org/chat"), invoker, Ct);
            foreach (var text in new[] { "hello", "through the proxy" })
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), System.Net.WebSockets.WebSocketMessageType.Text, true, Ct);
                var buffer = new byte[256];
                var received = await socket.ReceiveAsync(buffer, Ct);
                Assert.Equal($"echo: {text}", Encoding.UTF8.GetString(buffer, 0, received.Count));
            }

            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", Ct);
        }
        finally
        {
            await platform.Vm.DeleteAsync(request, CancellationToken.None);
        }
    }

    // Answers every GET with the request's headers as a JSON object.
    private const string HeaderServer = """
        import http.server, json, os
        class Echo(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps(dict(self.headers.items())).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["TAPPAAS_PORT_HTTP"])), Echo).serve_forever()
        """;

    private static ModuleDefinition HeaderEcho(string name, bool preserveHost) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 493, \"zone0\": \"srvHome\", \"proxyDomain\": \"" + name + ".example.org\", \"proxyPort\": 8080, \"proxyAllowedZones\": [\"mgmt\"], " +
            "\"proxyPreserveHost\": " + (preserveHost ? "true" : "false") + ", \"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/usr/bin/python3\", \"args\": [\"headers.py\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"}}}}")).Root!);

    private static async Task<Dictionary<string, string>> HeadersAsync(HttpClient client, string url, string? claimedFor = null)
    {
        for (var i = 0; ; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (claimedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", claimedFor);
                request.Headers.Add("X-Real-IP", claimedFor);
                request.Headers.Add("Forwarded", $"for={claimedFor};proto=https");
            }

            using var response = await client.SendAsync(request, Ct);
            if (response.StatusCode == HttpStatusCode.OK || i == 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var json = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync(Ct))!;
                return new Dictionary<string, string>(json, StringComparer.OrdinalIgnoreCase);
            }

            await Task.Delay(100, Ct); // until the route has its guest
        }
    }

    // A WebSocket echo server in the standard library only (RFC 6455: the handshake, then one text frame back per frame).
    private const string EchoServer = """
        import base64, hashlib, os, socket, struct, threading
        GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        def recv(c, n):
            data = b""
            while len(data) < n:
                chunk = c.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data
        def serve(c):
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = c.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                headers = {k.lower(): v for k, v in (l.split(": ", 1) for l in head.decode().split("\r\n")[1:] if ": " in l)}
                accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
                c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())
                while True:
                    b0, b1 = recv(c, 2)
                    n = b1 & 0x7F
                    n = struct.unpack(">H", recv(c, 2))[0] if n == 126 else struct.unpack(">Q", recv(c, 8))[0] if n == 127 else n
                    mask = recv(c, 4) if b1 & 0x80 else b"\0\0\0\0"
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(recv(c, n)))
                    if b0 & 0x0F == 8:
                        c.sendall(b"\x88\x00")
                        return
                    reply = b"echo: " + payload
                    c.sendall(bytes([0x81, len(reply)]) + reply)
            except (EOFError, KeyError, OSError):
                pass
            finally:
                c.close()
        server = socket.create_server(("0.0.0.0", int(os.environ["TAPPAAS_PORT_HTTP"])))
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """;

    /// <summary>From inside a guest: resolve with its own resolver, verify TLS against the site root, return the status.</summary>
    private static async Task<string> FetchFromGuestAsync(Platform.Embedded.EmbeddedPlatform platform, string guest, string url, string rootPem)
    {
        var script = "import ssl,sys,urllib.request,urllib.error\nctx=ssl.create_default_context(cafile=sys.argv[2])\n" +
                     "try:\n print(urllib.request.urlopen(sys.argv[1], context=ctx, timeout=5).status)\nexcept urllib.error.HTTPError as e:\n print(e.code)";
        var (code, output) = await ProcessRunner.RunAsync("ip", ["netns", "exec", platform.Names.Namespace(guest), "/usr/bin/python3", "-c", script, url, rootPem]);
        return code == 0 ? output.Trim() : $"exit {code}: {output}";
    }

    private static ModuleDefinition Sleeper(string name, string zone) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 491, \"zone0\": \"" + zone + "\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/bin/sleep\", \"args\": [\"600\"], \"stopGrace\": \"1s\"}}}}")).Root!);

    private static ModuleDefinition Module(string name, string domain, string zones) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 490, \"zone0\": \"srvHome\", \"proxyDomain\": \"" + domain + "\", \"proxyPort\": 8080, \"proxyAllowedZones\": " + zones +
            ", \"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/usr/bin/python3\", \"args\": [\"-m\", \"http.server\", \"${port:http}\", \"--directory\", \"/etc\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"}}}}")).Root!);

    private static async Task<HttpResponseMessage> WaitForAsync(HttpClient client, string url, HttpStatusCode status)
    {
        HttpResponseMessage? last = null;
        for (var i = 0; i < 100; i++)
        {
            last = await client.GetAsync(url, Ct);
            if (last.StatusCode == status)
            {
                return last;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail($"{url} answered {last?.StatusCode}, not {status}");
        return last!;
    }
}
