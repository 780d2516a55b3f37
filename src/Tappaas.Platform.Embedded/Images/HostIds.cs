using System.Text.Json;
using Tappaas.IO;

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

    private string File => Path.Combine(siteFolder, "images", "host-ids.json");

    /// <summary>The module's first host id, allocated on first use.</summary>
    public long For(string module)
    {
        using var held = StoreLock.Take(File + ".lock");
        var ranges = Read();
        if (ranges.TryGetValue(module, out var base0))
        {
            return base0;
        }

        var taken = ranges.Values.ToHashSet();
        var next = First;
        while (taken.Contains(next))
        {
            next += Guests.Oci.RuntimeSpec.IdsPerGuest;
        }

        ranges[module] = next;
        AtomicFile.Write(File, JsonSerializer.Serialize(ranges));
        return next;
    }

    /// <summary>The module's range, or null when it has none.</summary>
    public long? Of(string module) => Read().TryGetValue(module, out var v) ? v : null;

    /// <summary>Frees the module's range (it was removed).</summary>
    public void Release(string module)
    {
        using var held = StoreLock.Take(File + ".lock");
        var ranges = Read();
        if (ranges.Remove(module))
        {
            AtomicFile.Write(File, JsonSerializer.Serialize(ranges));
        }
    }

    private SortedDictionary<string, long> Read() =>
        System.IO.File.Exists(File) ? JsonSerializer.Deserialize<SortedDictionary<string, long>>(System.IO.File.ReadAllText(File)) ?? [] : [];
}
