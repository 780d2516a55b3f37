using Tappaas.Daemon.Proxy;

namespace Tappaas.Daemon.Tests;

/// <summary>The proxy rebuilds its routes only when the stamp of the files they come from moves: it must move for every change that can alter a route, and only then.</summary>
public sealed class ProxyRoutesStampTests : IDisposable
{
    private readonly string _site = Directory.CreateTempSubdirectory("tappaas-stamp-").FullName;

    public void Dispose() => Directory.Delete(_site, recursive: true);

    [Fact]
    public void The_stamp_moves_with_every_file_a_route_is_built_from_and_only_then()
    {
        Directory.CreateDirectory(Path.Combine(_site, "config"));
        File.WriteAllText(Path.Combine(_site, "config", "shop.json"), "{\"vmid\": 1}");
        File.WriteAllText(Path.Combine(_site, "config", "zones.json"), "{}");
        var guest = Directory.CreateDirectory(Path.Combine(_site, "guests", "shop-0")).FullName;
        File.WriteAllText(Path.Combine(guest, "spec.json"), "{\"module\": \"shop\"}");
        File.WriteAllText(Path.Combine(guest, "state.json"), "{\"ready\": true}");
        File.WriteAllText(Path.Combine(guest, "shim.log"), "started");

        var stamp = ProxyRoutes.Stamp(_site);
        Assert.Equal(stamp, ProxyRoutes.Stamp(_site));

        // What routes do not read: a guest's log, a non-JSON file in the config folder.
        File.AppendAllText(Path.Combine(guest, "shim.log"), "\nmore");
        File.WriteAllText(Path.Combine(_site, "config", "notes.txt"), "x");
        Assert.Equal(stamp, ProxyRoutes.Stamp(_site));

        // The supervisor rewrites state.json (same size: ready -> ready, a later write time).
        Changes(() => Rewrite(Path.Combine(guest, "state.json"), "{\"ready\": fals}"));
        Changes(() => File.WriteAllText(Path.Combine(guest, "draining"), ""));
        Changes(() => File.Delete(Path.Combine(guest, "draining")));
        Changes(() => Rewrite(Path.Combine(_site, "config", "shop.json"), "{\"vmid\": 2}"));
        Changes(() => Rewrite(Path.Combine(_site, "config", "zones.json"), "{\"a\": 1}"));
        Changes(() => File.WriteAllText(Path.Combine(_site, "config", "board.json"), "{}"));
        Changes(() => Directory.CreateDirectory(Path.Combine(_site, "guests", "shop-1")));
        Changes(() => File.WriteAllText(Path.Combine(_site, "guests", "shop-1", "spec.json"), "{}"));
        Changes(() => Directory.Delete(Path.Combine(_site, "guests", "shop-1"), recursive: true));
    }

    [Fact]
    public void A_site_without_config_or_guests_has_a_stamp()
    {
        Assert.Equal(ProxyRoutes.Stamp(_site), ProxyRoutes.Stamp(_site));
        Directory.CreateDirectory(Path.Combine(_site, "guests", "a-0"));
        Assert.NotEqual(ProxyRoutes.Stamp(Path.Combine(_site, "missing")), ProxyRoutes.Stamp(_site));
    }

    private void Changes(Action change)
    {
        var before = ProxyRoutes.Stamp(_site);
        change();
        Assert.NotEqual(before, ProxyRoutes.Stamp(_site));
    }

    // As the supervisor and the engine write: a new file moved over the old one, its write time a moment later.
    private static void Rewrite(string path, string text)
    {
        var previous = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path + ".tmp", text);
        File.SetLastWriteTimeUtc(path + ".tmp", previous.AddMilliseconds(1));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
