using System.Text.RegularExpressions;

namespace Tappaas.Model.Images;

/// <summary>
/// An OCI image reference as a module names it (<c>image</c> with <c>imageType: "oci"</c>), normalised as Docker
/// resolves short names: no registry means <c>docker.io</c>, a one-part name on docker.io is under <c>library/</c>, and
/// no tag and no digest means <c>latest</c>.
/// </summary>
/// <param name="Registry">The registry host (and port): <c>docker.io</c>, <c>ghcr.io</c>, <c>127.0.0.1:5000</c>.</param>
/// <param name="Repository">The repository path in it: <c>library/nginx</c>.</param>
/// <param name="Tag">The tag, or null when only a digest is given.</param>
/// <param name="Digest">The manifest digest (<c>sha256:…</c>) when the reference pins one.</param>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>registry/repository:tag, or registry/repository@digest when pinned.</summary>
    public string Canonical => Digest is not null ? $"{Registry}/{Repository}@{Digest}" : $"{Registry}/{Repository}:{Tag}";

    /// <summary>The same repository at an exact manifest digest (what a revision runs).</summary>
    public ImageReference At(string digest) => this with { Digest = digest };

    public override string ToString() => Canonical;

    /// <summary>Parses a reference; null with <paramref name="problem"/> saying what is wrong when it is not one.</summary>
    public static ImageReference? TryParse(string? text, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the image reference is empty";
            return null;
        }

        var rest = text.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                problem = $"\"{digest}\" is not a digest (sha256: and 64 lowercase hex digits)";
                return null;
            }
        }

        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                problem = $"\"{tag}\" is not a tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')";
                return null;
            }
        }

        var parts = rest.Split('/');
        string registry;
        if (parts.Length > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost"))
        {
            registry = parts[0];
            parts = parts[1..];
        }
        else
        {
            registry = DockerHub;
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DockerHub;
        }

        if (parts.Length == 0 || parts.Any(p => !ComponentPattern().IsMatch(p)))
        {
            problem = $"\"{rest}\" is not a repository name (lowercase letters, digits and separators . _ - between them, parts joined by /)";
            return null;
        }

        var repository = string.Join('/', parts);
        if (registry == DockerHub && parts.Length == 1)
        {
            repository = "library/" + repository;
        }

        return new ImageReference(registry, repository, tag ?? (digest is null ? "latest" : null), digest);
    }

    /// <summary>Parses a reference that is known to be valid (validated before).</summary>
    public static ImageReference Parse(string text) => TryParse(text, out var problem) ?? throw new ArgumentException($"image \"{text}\": {problem}", nameof(text));

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    public static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();
}
