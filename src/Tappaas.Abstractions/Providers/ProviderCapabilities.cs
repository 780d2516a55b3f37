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

    /// <summary>
    /// Its <see cref="IResourceProvider.ReadAsync"/> observes the real object (a guest, a VM), so a plan can show an
    /// object that vanished as drift; without it a read says nothing (hook scripts cannot be asked).
    /// </summary>
    Observe = 4,

    /// <summary>
    /// Calls for different consumers may run at the same time (its shared objects are locked), so the engine runs the
    /// independent modules of one run side by side; without it the engine calls the provider one step at a time.
    /// </summary>
    Concurrent = 8,
}
