
namespace Tappaas.Platform.Embedded.Guests;

/// <summary>Appends lines to a log file, rotating it to <c>.1</c>, <c>.2</c>… when it grows past a size.</summary>
internal sealed class RotatingLog(string path, long maxBytes, int keep, TimeProvider time)
{
    private readonly Lock _gate = new();

    public void Write(string stream, string line)
    {
        lock (_gate)
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > maxBytes)
            {
                for (var i = keep - 1; i >= 1; i--)
                {
                    if (File.Exists($"{path}.{i}"))
                    {
                        File.Move($"{path}.{i}", $"{path}.{i + 1}", overwrite: true);
                    }
                }

                File.Move(path, $"{path}.1", overwrite: true);
            }

            File.AppendAllText(path, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {stream} {line}\n");
        }
    }
}
