namespace Tappaas.Abstractions.Providers;

/// <summary>Optional abilities of a provider.</summary>
[Flags]
public enum ProviderCapabilities
{
    /// <summary>Only the basic operations.</summary>
    None = 0,

    /// <summary>Can snapshot the consumer's guest before an update and restore it (implements <see cref="ISnapshotProvider"/>).</summary>
    Snapshot = 1,

    /// <summary>Has a test operation that checks the service for the consumer.</summary>
    Test = 2,
}
