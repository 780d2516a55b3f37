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

/// <summary>A stored token: its name, role and the SHA-256 of its secret (the secret itself is never stored).</summary>
public sealed record TokenEntry(string Name, TokenRole Role, string Sha256, DateTimeOffset CreatedAt);

/// <summary>
/// The daemon's API tokens in <c>&lt;site&gt;/secrets/tokens.json</c> (0600): only hashes, so a copy of the file opens
/// nothing. A token is <c>tpk_</c> and 32 random bytes (base64url); it is shown once, when it is created.
/// </summary>
public sealed class TokenStore(string siteFolder, TimeProvider time)
{
    private readonly Lock _gate = new();

    private string File => Path.Combine(siteFolder, "secrets", "tokens.json");

    public IReadOnlyList<TokenEntry> List()
    {
        lock (_gate)
        {
            return System.IO.File.Exists(File) ? JsonSerializer.Deserialize<List<TokenEntry>>(System.IO.File.ReadAllText(File)) ?? [] : [];
        }
    }

    /// <summary>Creates a token and returns its secret (the only time it is visible).</summary>
    public string Create(string name, TokenRole role)
    {
        var secret = "tpk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        lock (_gate)
        {
            var all = List().Where(t => t.Name != name).Append(new TokenEntry(name, role, Hash(secret), time.GetUtcNow())).ToList();
            AtomicFile.Write(File, JsonSerializer.SerializeToUtf8Bytes(all), AtomicFile.OwnerOnly);
        }

        return secret;
    }

    /// <summary>The entry of a presented token, or null (compared in constant time).</summary>
    public TokenEntry? Find(string presented)
    {
        var hash = Convert.FromHexString(Hash(presented));
        return List().FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(Convert.FromHexString(t.Sha256), hash));
    }

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
