using System.Diagnostics;
using System.Net.Sockets;
namespace Tappaas.TestUtilities;

/// <summary>
/// Debian's <c>docker-registry</c> on a loopback port of its own, and small images built here with <c>umoci</c> from
/// <c>busybox-static</c> (its httpd serving a page the test chooses) and pushed with <c>skopeo</c>: nothing from outside this machine.
/// </summary>
public sealed class OciRegistry : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly Process _registry;

    private OciRegistry(TempDir dir, Process registry, int port)
    {
        _dir = dir;
        _registry = registry;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Damages the layers of an image in the registry's storage (the bytes change, the names do not): a pull must find the digest mismatch.</summary>
    public async Task CorruptLayersAsync(string reference, CancellationToken cancellationToken)
    {
        using var p = Process.Start(new ProcessStartInfo("skopeo", ["inspect", "--tls-verify=false", .. Credentials is { } c ? new[] { "--creds", $"{c.User}:{c.Password}" } : [], "docker://" + reference])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var info = System.Text.Json.Nodes.JsonNode.Parse(await p.StandardOutput.ReadToEndAsync(cancellationToken))!;
        await p.WaitForExitAsync(cancellationToken);
        foreach (var layer in info["Layers"]!.AsArray().Select(l => (string)l!))
        {
            var hex = layer["sha256:".Length..];
            var data = Path.Combine(_dir.Path, "data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
            var bytes = await File.ReadAllBytesAsync(data, cancellationToken);
            bytes[bytes.Length / 2] ^= 0xff;
            await File.WriteAllBytesAsync(data, bytes, cancellationToken);
        }
    }

    public string Location => $"127.0.0.1:{Port}";

    /// <summary>Why OCI guests cannot be tested here (root, runc, skopeo, umoci, docker-registry, busybox-static), or null.</summary>
    public static string? Unavailable
    {
        get
        {
            var missing = new[] { "/usr/sbin/runc", "/usr/bin/skopeo", "/usr/bin/umoci", "/usr/bin/docker-registry", "/bin/busybox", "/usr/bin/htpasswd" }.Where(f => !File.Exists(f)).ToList();
            if (Environment.UserName != "root" || !File.Exists("/usr/sbin/ip") || !File.Exists("/usr/bin/unshare"))
            {
                missing.Add("root with iproute2 and util-linux");
            }

            return missing.Count == 0 ? null : Prerequisites.Missing("OCI image guests need " + string.Join(", ", missing) + " (apt-get install runc skopeo umoci docker-registry busybox-static apache2-utils)");
        }
    }

    /// <summary>The user name and password pushes need when the registry was started with them (null: no authentication).</summary>
    public (string User, string Password)? Credentials { get; private init; }

    /// <summary>Starts the registry; with <paramref name="credentials"/> it asks for them (htpasswd, bcrypt, from apache2-utils' htpasswd).</summary>
    public static async Task<OciRegistry> StartAsync(CancellationToken cancellationToken, (string User, string Password)? credentials = null)
    {
        var dir = new TempDir("/var/tmp");
        var port = FreePort();
        var config = Path.Combine(dir.Path, "registry.yml");
        var auth = "";
        if (credentials is { } c)
        {
            using var htpasswd = Process.Start(new ProcessStartInfo("htpasswd", ["-Bbn", c.User, c.Password]) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new InvalidOperationException("htpasswd (apache2-utils) is not installed");
            var line = (await htpasswd.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
            await htpasswd.WaitForExitAsync(cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir.Path, "htpasswd"), line + "\n", cancellationToken);
            auth = $"auth:\n  htpasswd:\n    realm: tappaas-test\n    path: {dir.Path}/htpasswd\n";
        }

        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {dir.Path}/data\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}", cancellationToken);
        var process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                return new OciRegistry(dir, process, port) { Credentials = credentials };
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        process.Kill();
        dir.Dispose();
        throw new InvalidOperationException("docker-registry did not start");
    }

    /// <summary>
    /// Builds an image whose entrypoint is busybox's httpd on 8080 serving <paramref name="page"/> from /www, with /data
    /// as its volume (holding a seed file), pushes it as <c>name:tag</c> and returns its reference.
    /// </summary>
    public async Task<string> PushWebAsync(string name, string tag, string page, string arch = "amd64", string? entrypoint = null, CancellationToken cancellationToken = default)
    {
        var work = Path.Combine(_dir.Path, $"{name}-{tag}-{Guid.NewGuid():N}");
        var layout = Path.Combine(work, "layout");
        var bundle = Path.Combine(work, "bundle");
        Directory.CreateDirectory(work);
        await MustAsync("umoci", ["init", "--layout", layout], cancellationToken);
        await MustAsync("umoci", ["new", "--image", $"{layout}:{tag}"], cancellationToken);
        await MustAsync("umoci", ["unpack", "--image", $"{layout}:{tag}", bundle], cancellationToken);
        var root = Path.Combine(bundle, "rootfs");
        foreach (var d in new[] { "bin", "www", "etc", "data" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        foreach (var tool in new[] { "sh", "httpd", "cat", "ls", "touch", "test", "id", "hostname", "echo", "sleep", "grep" })
        {
            File.CreateSymbolicLink(Path.Combine(root, "bin", tool), "busybox");
        }

        await File.WriteAllTextAsync(Path.Combine(root, "www", "index.html"), page, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "data", "seed"), "from the image\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/:/bin/sh\nwww:x:33:33:www:/www:/bin/sh\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "group"), "root:x:0:\nwww:x:33:\n", cancellationToken);
        await MustAsync("umoci", ["repack", "--image", $"{layout}:{tag}", bundle], cancellationToken);
        await MustAsync("umoci", ["config", "--image", $"{layout}:{tag}", "--config.entrypoint", entrypoint ?? "/bin/httpd", "--config.cmd=-f", "--config.cmd=-p", "--config.cmd=8080",
            "--config.cmd=-h", "--config.cmd=/www", "--config.exposedports", "8080/tcp", "--config.volume", "/data", "--config.env", "GREETING=hello",
            "--architecture", arch, "--created", "2020-01-01T00:00:00Z", "--history.created", "2020-01-01T00:00:00Z"], cancellationToken);
        var creds = Credentials is { } c ? new[] { "--dest-creds", $"{c.User}:{c.Password}" } : [];
        await MustAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", .. creds, $"oci:{layout}:{tag}", $"docker://{Location}/{name}:{tag}"], cancellationToken);
        return $"{Location}/{name}:{tag}";
    }

    /// <summary>The site configuration member that lets the site reach this registry without TLS.</summary>
    public string RegistriesJson => $"[{{\"location\": \"{Location}\", \"insecure\": true}}]";

    public async ValueTask DisposeAsync()
    {
        try
        {
            _registry.Kill();
            await _registry.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
        }

        _registry.Dispose();
        _dir.Dispose();
    }

    private static async Task MustAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
