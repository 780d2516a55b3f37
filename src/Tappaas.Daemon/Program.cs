using System.CommandLine;
using Tappaas.Daemon;

// tappaasd: the TAPPaaS daemon in the foreground (a service manager runs it as a service).
var site = new Option<string?>("--site") { Description = "The site folder (default: $TAPPAAS_SITE, else ~/.local/share/tappaas/site)." };
var listen = new Option<string>("--listen") { Description = "The API's address (https://… with the site CA's certificate, or http://…).", DefaultValueFactory = _ => "https://127.0.0.1:7780" };
var proxyHttps = new Option<string?>("--proxy-https") { Description = "Run the reverse proxy with HTTPS on this address, e.g. https://0.0.0.0:443." };
var proxyHttp = new Option<string?>("--proxy-http") { Description = "And its plain HTTP listener, which redirects to HTTPS, e.g. http://0.0.0.0:80." };
var tokenFile = new Option<string?>("--initial-token-file") { Description = "Write the first admin token to this file (0600) instead of printing it." };
var logFormat = new Option<string>("--log-format") { Description = "The log's format: text or json (one JSON object per entry).", DefaultValueFactory = _ => "text" };
logFormat.AcceptOnlyFromAmong("text", "json");
var root = new RootCommand("tappaasd: the TAPPaaS daemon — the site's REST API, reconciler, autoscaler and (with --proxy-https) the supervisor of its reverse proxy.")
{
    site, listen, proxyHttps, proxyHttp, tokenFile, logFormat,
};
// tappaasd proxy: the site's reverse proxy on its own (the daemon starts it; see DataPlane).
var proxySite = new Option<string?>("--site") { Description = "The site folder (default: $TAPPAAS_SITE, else ~/.local/share/tappaas/site)." };
var proxyListen = new Option<string>("--https") { Description = "The HTTPS listener, e.g. https://0.0.0.0:443.", Required = true };
var proxyRedirect = new Option<string?>("--http") { Description = "The plain HTTP listener, which redirects to HTTPS, e.g. http://0.0.0.0:80." };
var proxyCommand = new Command("proxy", "Run the site's reverse proxy apart from the daemon (the daemon starts it with --proxy-https; it serves on while the daemon is down).")
{
    proxySite, proxyListen, proxyRedirect,
};
proxyCommand.SetAction(async (result, _) =>
{
    foreach (var (option, value) in new[] { ("--https", result.GetValue(proxyListen)), ("--http", result.GetValue(proxyRedirect)) })
    {
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !System.Net.IPAddress.TryParse(uri.Host, out var ip)))
        {
            Console.Error.WriteLine($"error: {option} {value} is not an http:// or https:// address with an IP; write e.g. https://0.0.0.0:443");
            return 2;
        }
    }

    Tappaas.Daemon.Proxy.InlineSocketCompletions.Enable(); // before the first socket is made
    try
    {
        var app = Tappaas.Daemon.Proxy.ProxyApp.Build(Tappaas.Composition.SiteSession.Resolve(result.GetValue(proxySite)),
            new Tappaas.Daemon.Proxy.ProxyListeners(result.GetValue(proxyListen)!, result.GetValue(proxyRedirect)));
        await app.RunAsync();
        return 0;
    }
    catch (Exception ex) when (ex is InvalidOperationException or IOException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 1;
    }
});
root.Subcommands.Add(proxyCommand);
root.SetAction(async (result, _) =>
{
    var https = result.GetValue(proxyHttps);
    foreach (var (option, value) in new[] { ("--listen", result.GetValue(listen)), ("--proxy-https", https), ("--proxy-http", result.GetValue(proxyHttp)) })
    {
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            Console.Error.WriteLine($"error: {option} {value} is not an http:// or https:// address; write e.g. https://127.0.0.1:7780");
            return 2;
        }
    }

    try
    {
        var app = await DaemonApp.BuildAsync(new DaemonOptions(Tappaas.Composition.SiteSession.Resolve(result.GetValue(site)), result.GetValue(listen)!, ProxyHttps: https,
            ProxyHttp: result.GetValue(proxyHttp), InitialTokenFile: result.GetValue(tokenFile), JsonLogs: result.GetValue(logFormat) == "json"), Console.Out);
        await app.RunAsync(); // the host stops gracefully on SIGTERM (System.CommandLine's own handling is off, below)
        return 0;
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

/// <summary>The daemon's entry point (public for the test host).</summary>
public partial class Program;
