using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tappaas.Client.IO;

namespace Tappaas.Client;

/// <summary>Where a site's daemon answers, the token to use and the root its certificate must chain to.</summary>
public sealed record ApiConnection(Uri Url, string? Token, X509Certificate2? TrustedRoot)
{
    /// <summary>The file a running daemon writes in its site folder: <c>{"url": ..., "pid": ...}</c>.</summary>
    public const string AnnouncementFile = "api.json";

    /// <summary>The first admin token's file, written by <c>tappaas up</c> (owner-only).</summary>
    public static string InitialTokenFile(string site) => Path.Combine(site, "secrets", "initial-admin-token");

    /// <summary>The site CA's root certificate.</summary>
    public static string RootFile(string site) => Path.Combine(site, "ca", "root.crt");

    /// <summary>
    /// The daemon of a site: <paramref name="url"/> when given, else the one the site's <c>api.json</c> announces
    /// while its process lives; null when none runs. The token is <paramref name="token"/>, else the site's initial
    /// admin token file when readable. The site CA's root is trusted when present.
    /// </summary>
    public static ApiConnection? Discover(string site, string? url, string? token)
    {
        url ??= Announced(site);
        if (url is null || !Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri))
        {
            return null;
        }

        if (token is null && File.Exists(InitialTokenFile(site)))
        {
            try
            {
                token = File.ReadAllText(InitialTokenFile(site)).Trim();
            }
            catch (UnauthorizedAccessException)
            {
                token = null; // another user's site: the caller must give a token
            }
        }

        var root = File.Exists(RootFile(site)) ? X509CertificateLoader.LoadCertificateFromFile(RootFile(site)) : null;
        return new ApiConnection(uri, token, root);
    }

    /// <summary>Writes the announcement (by the daemon, when it starts listening).</summary>
    public static void Announce(string site, string url, int pid) =>
        AtomicFile.Write(Path.Combine(site, AnnouncementFile), JsonSerializer.Serialize(new Announcement(url, pid)));

    /// <summary>Removes the announcement if it is this process's.</summary>
    public static void Withdraw(string site, int pid)
    {
        var file = Path.Combine(site, AnnouncementFile);
        if (Read(file) is { } a && a.Pid == pid)
        {
            File.Delete(file);
        }
    }

    private static string? Announced(string site)
    {
        var a = Read(Path.Combine(site, AnnouncementFile));
        return a is not null && Directory.Exists($"/proc/{a.Pid}") ? a.Url : null;
    }

    private static Announcement? Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<Announcement>(File.ReadAllText(file), new JsonSerializerOptions(JsonSerializerDefaults.Web)) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    private sealed record Announcement(string Url, int Pid);
}
