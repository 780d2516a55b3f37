using Tappaas.Daemon;

// tappaasd [--site DIR] [--listen URL]: the TAPPaaS daemon in the foreground (a service manager runs it as a service).
string? site = null;
var listen = "https://127.0.0.1:7780";
string? proxyHttps = null;
string? proxyHttp = null;
string? tokenFile = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--site" when i + 1 < args.Length:
            site = args[++i];
            break;
        case "--listen" when i + 1 < args.Length:
            listen = args[++i];
            break;
        case "--proxy-https" when i + 1 < args.Length:
            proxyHttps = args[++i];
            break;
        case "--proxy-http" when i + 1 < args.Length:
            proxyHttp = args[++i];
            break;
        case "--initial-token-file" when i + 1 < args.Length:
            tokenFile = args[++i];
            break;
        default:
            Console.Error.WriteLine($"error: unknown argument {args[i]}; usage: tappaasd [--site DIR] [--listen https://127.0.0.1:7780] [--proxy-https https://0.0.0.0:443] [--proxy-http http://0.0.0.0:80] [--initial-token-file PATH]");
            return 2;
    }
}

if (proxyHttps is not null)
{
    Tappaas.Daemon.Proxy.InlineSocketCompletions.Enable(); // before the first socket is made
}

try
{
    var app = await DaemonApp.BuildAsync(new DaemonOptions(Tappaas.Composition.SiteSession.Resolve(site), listen, ProxyHttps: proxyHttps, ProxyHttp: proxyHttp, InitialTokenFile: tokenFile), Console.Out);
    await app.RunAsync();
    return 0;
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

/// <summary>The daemon's entry point (public for the test host).</summary>
public partial class Program;
