namespace Tappaas.Platform.Embedded;

/// <summary>
/// What was made from a file, kept while the file's bytes stay the same: a file is read every time (cheap), parsed only
/// when its content changed (the costly part). Keyed by content, not by modification time, so two writes within one
/// timestamp tick are never mistaken for one. Files gone are forgotten.
/// </summary>
internal sealed class ContentCache<T>
    where T : class
{
    private readonly Dictionary<string, (byte[] Bytes, T Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>The value made from the file as it is now, or null when the file does not exist (or cannot be read now).</summary>
    public T? Get(string path, Func<string, byte[], T?> make)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _entries.Remove(path);
            return null;
        }

        if (_entries.TryGetValue(path, out var entry) && entry.Bytes.AsSpan().SequenceEqual(bytes))
        {
            return entry.Value;
        }

        var value = make(path, bytes);
        if (value is null)
        {
            _entries.Remove(path);
        }
        else
        {
            _entries[path] = (bytes, value);
        }

        return value;
    }

    /// <summary>Forgets the entries of files not in <paramref name="seen"/>.</summary>
    public void Keep(IReadOnlySet<string> seen)
    {
        foreach (var gone in _entries.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _entries.Remove(gone);
        }
    }
}
