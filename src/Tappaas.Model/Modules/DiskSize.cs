using System.Globalization;

namespace Tappaas.Model.Modules;

/// <summary>Disk sizes as modules write them (<c>diskSize</c>: a number and K, M, G or T; a bare number is gibibytes).</summary>
public static class DiskSize
{
    /// <summary>The size in gibibytes; 0 when the text is not a size.</summary>
    public static double Gib(string? size)
    {
        if (string.IsNullOrEmpty(size))
        {
            return 0;
        }

        var unit = char.ToUpperInvariant(size[^1]);
        if (!double.TryParse(char.IsDigit(unit) ? size : size[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            return 0;
        }

        return unit switch { 'K' => n / (1024 * 1024), 'M' => n / 1024, 'T' => n * 1024, _ => n };
    }

    /// <summary>The size in bytes, or null when the text is not a size.</summary>
    public static long? Bytes(string? size) => Gib(size) is var g and > 0 ? (long)(g * 1024 * 1024 * 1024) : null;
}
