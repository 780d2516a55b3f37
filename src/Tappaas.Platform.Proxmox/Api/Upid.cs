using System.Text.RegularExpressions;

namespace Tappaas.Platform.Proxmox.Api;

/// <summary>A Proxmox task id: <c>UPID:node:pid:pstart:starttime:type:id:user:</c>. Tasks are polled on the node inside it.</summary>
public sealed partial record Upid(string Value, string Node, string Type, string Id)
{
    /// <summary>Parses a UPID; null when the text is not one.</summary>
    public static Upid? TryParse(string? text)
    {
        if (text is null || Pattern().Match(text) is not { Success: true } m)
        {
            return null;
        }

        return new Upid(text, m.Groups[1].Value, m.Groups[6].Value, m.Groups[7].Value);
    }

    [GeneratedRegex(@"^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$")]
    private static partial Regex Pattern();
}
