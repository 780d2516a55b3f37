using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tappaas.IO;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The site's own certificate authority: a root made at first start (<c>&lt;site&gt;/ca/root.crt</c>, its key
/// <c>root.key</c> readable by the owner only) that issues a certificate per proxied name on demand (for SNI),
/// renewed when it has less than a third of its 90 days left. Users trust the exported root once. (ACME can replace
/// the issuer later: <see cref="ServerCertificate"/> is the seam.)
/// </summary>
public sealed class SiteCertificateAuthority
{
    private static readonly TimeSpan s_leafLifetime = TimeSpan.FromDays(90);
    private readonly ConcurrentDictionary<string, X509Certificate2> _issued = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _root;
    private readonly TimeProvider _time;

    public SiteCertificateAuthority(string siteFolder, string siteName, TimeProvider time)
    {
        _time = time;
        var dir = Path.Combine(siteFolder, "ca");
        var certFile = Path.Combine(dir, "root.crt");
        var keyFile = Path.Combine(dir, "root.key");
        if (!File.Exists(certFile) || !File.Exists(keyFile))
        {
            Directory.CreateDirectory(dir);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=TAPPaaS site CA ({siteName}), O=TAPPaaS", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = time.GetUtcNow();
            using var root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            AtomicFile.Write(keyFile, key.ExportPkcs8PrivateKeyPem(), AtomicFile.OwnerOnly);
            AtomicFile.Write(certFile, root.ExportCertificatePem());
        }

        _root = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        RootFile = certFile;
    }

    /// <summary>The root certificate (PEM) users import to trust the site.</summary>
    public string RootFile { get; }

    public string RootPem => File.ReadAllText(RootFile);

    public X509Certificate2 Root => _root;

    /// <summary>The certificate for a name (issued or renewed as needed).</summary>
    public X509Certificate2 ServerCertificate(string host)
    {
        var now = _time.GetUtcNow();
        return _issued.AddOrUpdate(host, Issue, (h, existing) => existing.NotAfter.ToUniversalTime() - now.UtcDateTime < s_leafLifetime / 3 ? Issue(h) : existing);
    }

    private X509Certificate2 Issue(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(host, out var ip))
        {
            names.AddIpAddress(ip);
        }
        else
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = _time.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(_root, now.AddMinutes(-5), now.Add(s_leafLifetime), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
