using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>
/// A small JSON map in a file (guest addresses, host id ranges), changed under a file lock (<c>FILE.lock</c>, flock) and
/// written atomically, so two processes allocating at once never hand out the same entry.
/// </summary>
internal sealed class LockedJsonMap<TValue>(string file)
{
    private static readonly JsonTypeInfo<SortedDictionary<string, TValue>> s_info =
        (JsonTypeInfo<SortedDictionary<string, TValue>>?)HostJson.Default.GetTypeInfo(typeof(SortedDictionary<string, TValue>))
        ?? throw new NotSupportedException($"no JSON metadata for a map of {typeof(TValue).Name}: add it to HostJson");

    /// <summary>Runs <paramref name="change"/> on the map under the lock and writes the map back; returns what it returned.</summary>
    public TResult Change<TResult>(Func<SortedDictionary<string, TValue>, TResult> change)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var held = new FileStream(file + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var map = Read();
                var result = change(map);
                AtomicFile.Write(file, JsonSerializer.Serialize(map, s_info));
                return result;
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>The map as it is now (without the lock).</summary>
    public SortedDictionary<string, TValue> Read() =>
        File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), s_info) ?? [] : [];
}
