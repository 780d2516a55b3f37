using System.Text;

namespace Tappaas.Model.Json;

/// <summary>Maps byte offsets of a UTF-8 text to 1-based line and character column.</summary>
internal sealed class LineMap
{
    private readonly List<int> _lineStarts = [0];

    public LineMap(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public TextPosition PositionOf(long offset, ReadOnlySpan<byte> bytes)
    {
        var index = _lineStarts.BinarySearch((int)offset);
        var line = index >= 0 ? index : ~index - 1;
        var start = _lineStarts[line];
        var length = Math.Clamp((int)offset - start, 0, bytes.Length - start);
        int column;
        try
        {
            column = Encoding.UTF8.GetCharCount(bytes.Slice(start, length)) + 1;
        }
        catch (DecoderFallbackException)
        {
            column = length + 1;
        }

        return new TextPosition(line + 1, column);
    }
}
