using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Images;

/// <summary>
/// The host id ranges of the site's image modules: each module gets its own 65536 ids (guest root is the first), the
/// lowest free range from <see cref="First"/>, kept in <c>&lt;site&gt;/images/host-ids.json</c> so a module keeps its
/// range (its files on disk stay its own) until it is removed. Two modules never share one: a process escaping one
/// guest owns nothing of another's.
/// </summary>
public sealed class HostIds(string siteFolder)
{
    /// <summary>Above the ranges /etc/subuid usually hands out (100000 and up) and below the 32-bit limit.</summary>
    public const long First = 0x6000_0000;

    private LockedJsonMap<long> Map => new(Path.Combine(siteFolder, "images", "host-ids.json"));

    /// <summary>The module's first host id, allocated on first use.</summary>
    public long For(string module) => Map.Change(ranges =>
    {
        if (ranges.TryGetValue(module, out var first))
        {
            return first;
        }

        var taken = ranges.Values.ToHashSet();
        var next = First;
        while (taken.Contains(next))
        {
            next += Guests.Oci.RuntimeSpec.IdsPerGuest;
        }

        ranges[module] = next;
        return next;
    });

    /// <summary>The module's range, or null when it has none.</summary>
    public long? Of(string module) => Map.Read().TryGetValue(module, out var v) ? v : null;

    /// <summary>Frees the module's range (it was removed).</summary>
    public void Release(string module) => Map.Change(ranges => ranges.Remove(module));
}
