using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tappaas.IO;

namespace Tappaas.Daemon.Security;

/// <summary>An API token's role: viewers read, operators also change modules, admins also manage tokens.</summary>
public enum TokenRole
{
    Viewer,
    Operator,
    Admin,
}

/// <summary>A stored token: its name, role, the SHA-256 of its secret (the secret itself is never stored), and when it expires.</summary>
public sealed record TokenEntry(string Name, TokenRole Role, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>Whether the token no longer opens anything at <paramref name="now"/>.</summary>
    public bool ExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && at <= now;
}

/// <summary>
/// The daemon's API tokens in <c>&lt;site&gt;/secrets/tokens.json</c> (0600): only hashes, so a copy of the file opens
/// nothing. A token is <c>tpk_</c> and 32 random bytes (base64url); it is shown once, when it is created.
/// </summary>
public sealed class TokenStore(string siteFolder, TimeProvider time)
{
    private readonly Lock _gate = new();

    // The file as last read and its entries: every request's token is looked up here, so the file is read each time
    // (an edit or a revocation counts at once) but parsed only when its bytes changed.
    private (byte[] Bytes, IReadOnlyList<TokenEntry> Entries) _read = ([], []);

    private string File => Path.Combine(siteFolder, "secrets", "tokens.json");

    public IReadOnlyList<TokenEntry> List()
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(File);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        lock (_gate)
        {
            if (!_read.Bytes.AsSpan().SequenceEqual(bytes))
            {
                _read = (bytes, JsonSerializer.Deserialize(bytes, TokenJson.Default.ListTokenEntry) ?? []);
            }

            return _read.Entries;
        }
    }

    /// <summary>Why <paramref name="name"/> cannot name a token (null: it can): 1 to 64 letters, digits, '-', '_' or '.'.</summary>
    public static string? NameProblem(string? name) =>
        string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? $"the token name \"{name}\" is not 1 to 64 letters, digits, '-', '_' or '.': name it for who or what uses it, e.g. family or ci"
            : null;

    /// <summary>Creates a token (replacing one of the same name) and returns its secret (the only time it is visible).</summary>
    public string Create(string name, TokenRole role, TimeSpan? lifetime = null)
    {
        var secret = "tpk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Write(List().Where(t => t.Name != name).Append(new TokenEntry(name, role, Hash(secret), now, now + lifetime)));
        }

        return secret;
    }

    /// <summary>
    /// Revokes the token <paramref name="name"/>: null when done, else why not (there is none; it is the last admin
    /// token that still opens the API, without which nobody could manage tokens again).
    /// </summary>
    public string? Revoke(string name)
    {
        lock (_gate)
        {
            var all = List();
            var now = time.GetUtcNow();
            if (all.FirstOrDefault(t => t.Name == name) is not { } entry)
            {
                return $"there is no token \"{name}\" (tappaas token list shows them)";
            }

            if (entry.Role == TokenRole.Admin && !entry.ExpiredAt(now) && !all.Any(t => t.Name != name && t.Role == TokenRole.Admin && !t.ExpiredAt(now)))
            {
                return $"\"{name}\" is the last admin token; create another one first (tappaas token create NAME --role admin)";
            }

            Write(all.Where(t => t.Name != name));
            return null;
        }
    }

    /// <summary>The entry of a presented token that has not expired, or null (compared in constant time).</summary>
    public TokenEntry? Find(string presented)
    {
        var hash = Convert.FromHexString(Hash(presented));
        var now = time.GetUtcNow();
        return List().FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(Convert.FromHexString(t.Sha256), hash) && !t.ExpiredAt(now));
    }

    /// <summary>A token lifetime: <c>12h</c> or <c>90d</c> (hours or days, at least one hour); null when malformed.</summary>
    public static TimeSpan? ParseLifetime(string text) =>
        text.Length > 1 && int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? text[^1] switch { 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => null }
            : null;

    private void Write(IEnumerable<TokenEntry> all) => AtomicFile.Write(File, JsonSerializer.SerializeToUtf8Bytes(all.ToList(), TokenJson.Default.ListTokenEntry), AtomicFile.OwnerOnly);

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<TokenEntry>))]
internal sealed partial class TokenJson : System.Text.Json.Serialization.JsonSerializerContext;
