using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Tappaas.Client;

/// <summary>TLS that trusts a site's own CA (and only it) for the daemon's certificate, the way a user who imported the root would.</summary>
public static class SiteTrust
{
    /// <summary>A handler that accepts only a certificate for the requested name chained to <paramref name="root"/> (the system store when null).</summary>
    public static SocketsHttpHandler Handler(X509Certificate2? root) => new()
    {
        SslOptions = root is null ? new SslClientAuthenticationOptions() : Options(root),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = System.Net.DecompressionMethods.GZip, // the daemon compresses what is large (status)
    };

    private static SslClientAuthenticationOptions Options(X509Certificate2 root)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }

    /// <summary>Validates a server certificate against the site root: the name must match and the chain must end at the root.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2 root) => (_, certificate, _, errors) =>
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
