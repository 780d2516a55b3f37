using Tappaas.Platform.Embedded.Host;


namespace Tappaas.Platform.Embedded.Network;

/// <summary>Guest addresses per zone, allocated from the zone's DHCP range and kept in <c>&lt;site&gt;/guests/addresses.json</c> under a file lock.</summary>
internal sealed class AddressBook(string siteFolder)
{
    private string File => Path.Combine(siteFolder, "guests", "addresses.json");

    /// <summary>The address of a guest: the one it has, the module's fixed <paramref name="ip"/>, or the lowest free one of the range.</summary>
    public string Allocate(string guest, string subnetPrefix, int first, int last, string? ip)
    {
        return WithLock(book =>
        {
            if (book.FirstOrDefault(kv => kv.Value == guest).Key is { } existing && (ip is null || existing == ip))
            {
                return existing;
            }

            foreach (var old in book.Where(kv => kv.Value == guest).Select(kv => kv.Key).ToList())
            {
                book.Remove(old);
            }

            var address = ip ?? Enumerable.Range(first, last - first + 1).Select(n => $"{subnetPrefix}.{n}").FirstOrDefault(a => !book.ContainsKey(a))
                ?? throw new InvalidOperationException($"no free address left in {subnetPrefix}.{first}-{last}");
            if (book.TryGetValue(address, out var holder) && holder != guest)
            {
                throw new InvalidOperationException($"address {address} is already used by guest {holder}");
            }

            book[address] = guest;
            return address;
        });
    }

    public void Release(string guest) => WithLock(book =>
    {
        foreach (var key in book.Where(kv => kv.Value == guest).Select(kv => kv.Key).ToList())
        {
            book.Remove(key);
        }

        return "";
    });

    private string WithLock(Func<SortedDictionary<string, string>, string> change) => new LockedJsonMap<string>(File).Change(change);
}
