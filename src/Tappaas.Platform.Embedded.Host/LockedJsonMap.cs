using System.Text.Json;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>
/// A small JSON map in a file (guest addresses, host id ranges), changed under a file lock (<c>FILE.lock</c>, flock) and
/// written atomically, so two processes allocating at once never hand out the same entry.
/// </summary>
internal sealed class LockedJsonMap<TValue>(string file)
{
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
                AtomicFile.Write(file, JsonSerializer.Serialize(map));
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
        File.Exists(file) ? JsonSerializer.Deserialize<SortedDictionary<string, TValue>>(File.ReadAllText(file)) ?? [] : [];
}
