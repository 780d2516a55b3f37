namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>The guest drivers this platform has, by name; a spec naming another is refused before anything starts.</summary>
public static class GuestDrivers
{
    /// <summary>A host command (namespaced with root, a plain child process without).</summary>
    public const string Process = "process";

    /// <summary>A container from an OCI image under runc, in a user namespace with a read-only root.</summary>
    public const string Oci = "oci";

    private static readonly Dictionary<string, IGuestDriver> s_drivers = new(StringComparer.Ordinal)
    {
        [Process] = new ProcessDriver(),
        [Oci] = new OciDriver(),
    };

    /// <summary>The names of the drivers there are.</summary>
    public static IReadOnlyCollection<string> Names => s_drivers.Keys;

    /// <summary>The driver of that name, or null when there is none.</summary>
    public static IGuestDriver? Find(string name) => s_drivers.GetValueOrDefault(name);
}
