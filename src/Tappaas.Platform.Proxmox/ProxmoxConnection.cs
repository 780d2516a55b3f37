using Tappaas.Model.Json;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox;

/// <summary>
/// Where a site's Proxmox VE cluster is: <c>tappaas.proxmox</c> in configuration.json (<c>url</c>, <c>tokenId</c>,
/// optional <c>fingerprint</c>); the token secret comes from <c>TAPPAAS_PVE_TOKEN</c> (<c>USER@REALM!ID=SECRET</c> or the
/// secret alone) or the file <c>&lt;site&gt;/secrets/pve-token</c>, never from configuration.json.
/// </summary>
public static class ProxmoxConnection
{
    /// <summary>The client options, or an error saying what to set.</summary>
    public static (PveClientOptions? Options, string? Error) Load(string siteFolder)
    {
        var file = Path.Combine(siteFolder, "config", "configuration.json");
        var pve = JsonSource.ParseFile(file, file).Root is JObject root && (root["tappaas"] as JObject)?["proxmox"] is JObject p ? p : null;
        var url = Environment.GetEnvironmentVariable("TAPPAAS_PVE_URL") ?? Lenient.Text(pve?["url"]);
        var token = Environment.GetEnvironmentVariable("TAPPAAS_PVE_TOKEN");
        var secretFile = Path.Combine(siteFolder, "secrets", "pve-token");
        if (token is null && File.Exists(secretFile))
        {
            token = File.ReadAllText(secretFile).Trim();
        }

        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return (null, $"no Proxmox VE address: set tappaas.proxmox.url in {file} (e.g. \"https://tappaas1.mgmt.internal:8006\") or TAPPAAS_PVE_URL");
        }

        if (string.IsNullOrEmpty(token))
        {
            return (null, $"no Proxmox VE API token: set TAPPAAS_PVE_TOKEN=USER@REALM!TOKENID=SECRET or write it to {secretFile} (mode 600)");
        }

        var at = token.IndexOf('=', StringComparison.Ordinal);
        var tokenId = at > 0 ? token[..at] : Lenient.Text(pve?["tokenId"]);
        var secret = at > 0 ? token[(at + 1)..] : token;
        if (tokenId is null || !tokenId.Contains('!', StringComparison.Ordinal))
        {
            return (null, $"the Proxmox VE token id is missing or not USER@REALM!TOKENID: set tappaas.proxmox.tokenId in {file} or give the whole token in TAPPAAS_PVE_TOKEN");
        }

        return (new PveClientOptions
        {
            BaseAddress = uri,
            TokenId = tokenId,
            Secret = secret,
            Fingerprint = Environment.GetEnvironmentVariable("TAPPAAS_PVE_FINGERPRINT") ?? Lenient.Text(pve?["fingerprint"]),
        }, null);
    }
}
