using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Tappaas.Composition;
using Tappaas.Engine.Site;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>A site and the daemon serving it in-process (test server), with the admin token it printed at first start.</summary>
internal sealed class DaemonHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new("/var/tmp");
    private WebApplication? _app;
    private (int Https, int Http)? _proxy;
    private string _proxyAddress = "127.0.0.1";
    private string? _instance;
    private string? _listenOn;

    public SiteLayout Layout { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public string Announced { get; private set; } = "";

    /// <summary>The API's address when the daemon listens on a real port (<c>listenOn</c>), e.g. for a browser.</summary>
    public Uri? Address { get; private set; }

    public SiteSession Session => (SiteSession)_app!.Services.GetService(typeof(SiteSession))!;

    /// <summary>The site's embedded platform (what the tests start guests with directly).</summary>
    public Platform.Embedded.EmbeddedPlatform Embedded => (Platform.Embedded.EmbeddedPlatform)_app!.Services.GetService(typeof(Platform.Embedded.EmbeddedPlatform))!;

    /// <summary>The site's module repository (a folder per module).</summary>
    public string Repository => Path.Combine(_dir.Path, "modules");

    /// <summary>Writes a module release into the repository.</summary>
    public void Release(string name, string json)
    {
        Directory.CreateDirectory(Path.Combine(Repository, name));
        File.WriteAllText(Path.Combine(Repository, name, name + ".json"), json);
    }

    /// <param name="instance">An embedded instance tag and subnet offset, for tests that start guests (their host objects stay apart).</param>
    /// <param name="embedded">Map every foundation service to the embedded platform (else cluster:* is the fake backend).</param>
    /// <param name="listenOn">Serve the API with HTTPS on a real port of this address (else on a test server, in-process).</param>
    public static async Task<DaemonHarness> StartAsync((string Tag, int Offset)? instance = null, (int Https, int Http)? proxy = null, bool listenAll = false, bool embedded = false,
        string? listenOn = null)
    {
        var h = new DaemonHarness { _proxy = proxy, _proxyAddress = listenAll ? "0.0.0.0" : "127.0.0.1", _listenOn = listenOn };
        h.Layout = new SiteLayout(Path.Combine(h._dir.Path, "site"));
        Directory.CreateDirectory(h.Repository);
        var backends = embedded
            ? new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded", ["backup:*"] = "embedded" }
            : new Dictionary<string, string> { ["cluster:*"] = "fake" };
        SiteInitializer.Initialize(h.Layout, "example.org", backends, [h.Repository]);
        if (instance is { } i)
        {
            EmbeddedSites.Separate(h.Layout.Root, i.Tag, i.Offset);
            h._instance = i.Tag;
        }

        await h.RestartAsync();
        h.AdminToken = h.Announced.Split(": ").Last().Trim();
        return h;
    }

    /// <summary>Stops the daemon (if running) and starts it again on the same site.</summary>
    /// <param name="whileStopped">What to do between the stop and the start (look at an open page, say).</param>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        if (_app is not null)
        {
            await _app.StopAsync(Draining()); // an open page's circuit would hold a graceful stop for the host's 30 s
            await _app.DisposeAsync();
        }

        if (whileStopped is not null)
        {
            await whileStopped();
        }

        var announce = new StringWriter();
        // A real listener keeps its port across restarts (a browser's page reconnects to the same address).
        var listen = _listenOn is { } ip ? $"https://{ip}:{Address?.Port ?? 0}" : "http://127.0.0.1:0";
        _app = await DaemonApp.BuildAsync(new DaemonOptions(Layout.Root, listen, Timeout.InfiniteTimeSpan,
            _proxy is { } p ? $"https://{_proxyAddress}:{p.Https}" : null, _proxy is { } q ? $"http://{_proxyAddress}:{q.Http}" : null, AutoscaleInterval: Timeout.InfiniteTimeSpan), announce,
            _listenOn is not null ? null : b => b.WebHost.UseTestServer());
        await _app.StartAsync();
        if (_listenOn is not null)
        {
            Address = new Uri(_app.Urls.First(u => u.StartsWith("https://", StringComparison.Ordinal)));
        }

        Announced = announce.ToString();
    }

    /// <summary>How long a stop waits for open connections (a browser's) before it closes them.</summary>
    private static CancellationToken Draining() => new CancellationTokenSource(TimeSpan.FromSeconds(3)).Token;

    public T Service<T>()
        where T : notnull => (T)_app!.Services.GetService(typeof(T))!;

    public HttpClient Client(string? token = null)
    {
        var client = TransportClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>The typed client of the API (what the CLI uses) over the test server.</summary>
    public Client.TappaasClient Api(string? token) => new(TransportClient(), token);

    // The test server's client, or one to the real listener (the site CA's certificate is the daemon's own).
    private HttpClient TransportClient() => Address is { } address
        ? new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = address }
        : _app!.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync(Draining()); // an open page's circuit would hold a graceful stop for the host's 30 s
                await _app.DisposeAsync();
            }
        }
        finally
        {
            await Composition.DataPlane.StopAsync(Layout.Root, TimeSpan.FromSeconds(5), CancellationToken.None); // it outlives the daemon
            if (_instance is { } tag)
            {
                await EmbeddedSites.RemoveHostObjectsAsync(tag, Layout.Root); // guests outlive a daemon: the test's must not
            }

            _dir.Dispose();
        }
    }
}
