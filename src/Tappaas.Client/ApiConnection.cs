using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tappaas.Client.IO;

namespace Tappaas.Client;

/// <summary>
/// Where a site's daemon answers, the token to use and the root its certificate must chain to. <paramref name="Socket"/>,
/// when set, is the daemon's Unix socket on this host: the client connects there instead of to <paramref name="Url"/>
/// (no TLS: the socket's file permissions keep other users out; the token is still sent and checked).
/// </summary>
public sealed record ApiConnection(Uri Url, string? Token, X509Certificate2? TrustedRoot, string? Socket = null)
{
    /// <summary>The file a running daemon writes in its site folder: <c>{"url": ..., "pid": ..., "socket": ...}</c>.</summary>
    public const string AnnouncementFile = "api.json";

    /// <summary>The daemon's Unix socket in a site folder (owner-only).</summary>
    public static string SocketFile(string site) => Path.Combine(site, "api.sock");

    /// <summary>The longest socket path the kernel takes (<c>sun_path</c> is 108 bytes with its terminating zero).</summary>
    public const int MaxSocketPath = 107;

    /// <summary>The first admin token's file, written by <c>tappaas up</c> (owner-only).</summary>
    public static string InitialTokenFile(string site) => Path.Combine(site, "secrets", "initial-admin-token");

    /// <summary>The site CA's root certificate.</summary>
    public static string RootFile(string site) => Path.Combine(site, "ca", "root.crt");

    /// <summary>
    /// The daemon of a site: <paramref name="url"/> when given, else the one the site's <c>api.json</c> announces
    /// while its process lives; null when none runs. The token is <paramref name="token"/>, else the site's initial
    /// admin token file when readable. The announced daemon's Unix socket is used when this user may connect to it; the
    /// site CA's root (when present) is trusted otherwise, for TLS.
    /// </summary>
    public static ApiConnection? Discover(string site, string? url, string? token)
    {
        var announced = url is null ? Announced(site) : null;
        url ??= announced?.Url;
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

        // The announced daemon's socket, when it has one: same API, no TLS handshake or certificate chain to build.
        if (announced?.Socket is { Length: > 0 } socket && LocalSocket.MayConnect(socket))
        {
            return new ApiConnection(uri, token, null, socket);
        }

        var root = File.Exists(RootFile(site)) ? X509CertificateLoader.LoadCertificateFromFile(RootFile(site)) : null;
        return new ApiConnection(uri, token, root);
    }

    /// <summary>Writes the announcement (by the daemon, when it starts listening; <paramref name="socket"/> when it also listens there).</summary>
    public static void Announce(string site, string url, int pid, string? socket = null) =>
        AtomicFile.Write(Path.Combine(site, AnnouncementFile), JsonSerializer.Serialize(new Announcement(url, pid, socket), AnnouncementJson.Default.Announcement));

    /// <summary>Removes the announcement if it is this process's.</summary>
    public static void Withdraw(string site, int pid)
    {
        var file = Path.Combine(site, AnnouncementFile);
        if (Read(file) is { } a && a.Pid == pid)
        {
            File.Delete(file);
        }
    }

    private static Announcement? Announced(string site)
    {
        var a = Read(Path.Combine(site, AnnouncementFile));
        return a is not null && Directory.Exists($"/proc/{a.Pid}") ? a : null;
    }

    private static Announcement? Read(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            // Read by hand: every command reads this file, and a serializer's first use costs more than the whole read.
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object && Property(root, "url") is { ValueKind: JsonValueKind.String } url
                && Property(root, "pid") is { ValueKind: JsonValueKind.Number } pid && pid.TryGetInt32(out var p)
                ? new Announcement(url.GetString()!, p, Property(root, "socket") is { ValueKind: JsonValueKind.String } socket ? socket.GetString() : null)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    private static JsonElement? Property(JsonElement o, string name)
    {
        foreach (var p in o.EnumerateObject())
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    internal sealed record Announcement(string Url, int Pid, string? Socket = null);
}

/// <summary>The announcement's JSON (generated: the CLI reads it on every command).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ApiConnection.Announcement))]
internal sealed partial class AnnouncementJson : System.Text.Json.Serialization.JsonSerializerContext;
