using Microsoft.AspNetCore.Authentication;
using Tappaas.Composition;
using Tappaas.Daemon.Api;
using Tappaas.Daemon.Security;
using Tappaas.IO;

namespace Tappaas.Daemon;

/// <summary>What the daemon serves.</summary>
/// <param name="Site">The site folder.</param>
/// <param name="Listen">The API's address.</param>
/// <param name="ReconcileInterval">How often the reconciler runs (default 10 s; <see cref="Timeout.InfiniteTimeSpan"/>: only on request).</param>
/// <param name="ProxyHttps">The reverse proxy's HTTPS listener (e.g. <c>https://0.0.0.0:443</c>); no proxy when null.</param>
/// <param name="ProxyHttp">Its plain HTTP listener, which redirects to HTTPS.</param>
/// <param name="InitialTokenFile">Where to write the first admin token (0600) instead of printing it (a detached daemon's output is a log).</param>
/// <param name="AutoscaleInterval">How often the autoscaler samples (default 5 s; <see cref="Timeout.InfiniteTimeSpan"/>: only on request).</param>
/// <param name="JsonLogs">Write the daemon's log as JSON lines (one object per entry) instead of text.</param>
public sealed record DaemonOptions(string Site, string Listen, TimeSpan? ReconcileInterval = null, string? ProxyHttps = null, string? ProxyHttp = null, string? InitialTokenFile = null,
    TimeSpan? AutoscaleInterval = null, bool JsonLogs = false);

/// <summary>
/// The daemon: the site's engine and embedded platform behind a REST API under <c>/api/v1</c> (OpenAPI at
/// <c>/api/v1/openapi.json</c>), bearer tokens with roles, RFC 9457 problem details for every error. Stopping it
/// leaves the guests running: their supervisors are separate processes.
/// </summary>
public static class DaemonApp
{
    public static async Task<WebApplication> BuildAsync(DaemonOptions options, TextWriter announce, Action<WebApplicationBuilder>? configure = null)
    {
        var layout = new Engine.Site.SiteLayout(Path.GetFullPath(options.Site));
        if (!File.Exists(layout.ConfigurationFile))
        {
            throw new InvalidOperationException($"no site at {layout.Root} (no config/configuration.json); create one with 'tappaas init --site {options.Site}'");
        }

        var snapshot = Model.Site.SiteSnapshot.Read(layout.ConfigDir);
        if (StateStores.Problem(layout, snapshot) is { } storeProblem)
        {
            throw new InvalidOperationException(storeProblem);
        }

        // Named tappaasd whichever program hosts it (the CLI's in-process daemon, a test): the dashboard's static assets
        // are found by that name (tappaasd.staticwebassets.*.json beside the program).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "tappaasd", ContentRootPath = AppContext.BaseDirectory });
        // The daemon's log says what it did (runs, recoveries, the proxy), not that it answered a request: ASP.NET
        // Core's own lines (request started, endpoint executed, request finished) were four per API call, and a busy
        // status endpoint answered half as many calls while writing them (wrk, 100 connections: 7,000/s, 14,000/s
        // without). Its warnings and errors stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (options.JsonLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        // Also a Unix socket in the site folder, owner-only: the CLI on this host uses it (no TLS handshake per command).
        var socket = LocalSocketFile(layout.Root);
        builder.WebHost.UseUrls(socket is null ? [options.Listen] : [options.Listen, "http://unix:" + socket]);
        builder.WebHost.UseKestrelHttpsConfiguration();
        var time = TimeProvider.System; // the daemon's one clock: every service gets this one
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(ModuleArguments.NamesOnly); // a caller of the API names modules, never a path of this host
        builder.Services.AddTappaasSite(layout.Root);
        var ca = new Proxy.SiteCertificateAuthority(layout.Root, snapshot.Domain ?? "site", time);
        // An https:// listen address serves the API with a certificate from the site CA for the name the client asked
        // for (SNI), else for the listen address itself (clients connecting to an IP send no SNI).
        var listenHost = Uri.TryCreate(options.Listen, UriKind.Absolute, out var listenUri) ? listenUri.Host : "localhost";
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificateSelector = (_, name) => ca.ServerCertificate(string.IsNullOrEmpty(name) ? listenHost : name)));
        builder.Services.AddSingleton(sp => new TokenStore(layout.Root, sp.GetRequiredService<TimeProvider>()));
        Dashboard.DashboardSetup.AddSchemes(builder.Services.AddAuthentication(Dashboard.DashboardSetup.SiteScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null));
        Dashboard.DashboardSetup.Add(builder, layout.Root);
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1");
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
            o.SerializerOptions.RespectRequiredConstructorParameters = true; // {} is not {"replicas": 0}
        });
        // A request that cannot be read throws, so that Api.RequestProblems answers what is wrong and where.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<Api.RequestProblems>();
        builder.Services.AddExceptionHandler<Api.StoreProblems>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(ca);
        builder.Services.AddSingleton<StatusCache>();
        builder.Services.AddSingleton<Proxy.ProxyStats>();
        builder.Services.AddSingleton<DaemonMetrics>();
        Telemetry.Add(builder);
        builder.Services.AddSingleton<Proxy.ProxyProcess>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Proxy.ProxyProcess>());
        builder.Services.AddSingleton<Scaling.Autoscaler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Scaling.Autoscaler>());
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Reconciler>());
        configure?.Invoke(builder);

        var app = builder.Build();
        var session = app.Services.GetRequiredService<SiteSession>();
        if (await StateStores.CheckAsync(session.Store, layout, CancellationToken.None) is { } unusable)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(unusable); // a damaged store is refused at start, before anything reads or writes it
        }

        app.Services.GetRequiredService<DaemonMetrics>(); // its instruments exist before the first scrape
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/api/v1/openapi.json");
        Endpoints.Map(app);
        Dashboard.DashboardSetup.Map(app);

        var tokens = app.Services.GetRequiredService<TokenStore>();
        if (tokens.List().Count == 0)
        {
            var token = tokens.Create("admin", TokenRole.Admin);
            if (options.InitialTokenFile is { } file)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
                await using (var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                await using (var writer = new StreamWriter(stream))
                {
                    await writer.WriteAsync(token);
                }

                await announce.WriteLineAsync($"first start: created the admin API token in {file}");
            }
            else
            {
                await announce.WriteLineAsync($"first start: created the admin API token (shown once, store it now): {token}");
            }
        }

        // The pid file lets 'tappaas down' find a detached daemon.
        var pidFile = Path.Combine(session.Layout.Root, "daemon.pid");
        // api.json tells the CLI where to reach this daemon.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            AtomicFile.Write(pidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The socket exists only when the server really listens there (a test server does not).
            var listening = socket is not null && File.Exists(socket) ? socket : null;
            if (listening is not null)
            {
                File.SetUnixFileMode(listening, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Client.ApiConnection.Announce(session.Layout.Root, options.Listen, Environment.ProcessId, listening);
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            if (File.Exists(pidFile) && File.ReadAllText(pidFile) == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                File.Delete(pidFile);
            }

            Client.ApiConnection.Withdraw(session.Layout.Root, Environment.ProcessId);
            if (socket is not null && File.Exists(socket))
            {
                File.Delete(socket);
            }
        });
        return app;
    }

    /// <summary>
    /// The socket to listen on; none when its path is too long for the kernel or another process answers on it (the
    /// API's URL serves either way). A socket file nobody answers on (left by a daemon that was killed) is removed.
    /// </summary>
    private static string? LocalSocketFile(string site)
    {
        var socket = Client.ApiConnection.SocketFile(site);
        if (socket.Length > Client.ApiConnection.MaxSocketPath)
        {
            return null;
        }

        if (File.Exists(socket))
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            try
            {
                probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
                return null;
            }
            catch (System.Net.Sockets.SocketException)
            {
                File.Delete(socket);
            }
        }

        return socket;
    }
}
