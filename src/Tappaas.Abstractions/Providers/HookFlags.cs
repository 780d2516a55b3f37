namespace Tappaas.Abstractions.Providers;

/// <summary>Operator flags passed to every operation (upstream's TAPPAAS_* environment).</summary>
public sealed record HookFlags
{
    /// <summary>Run deep tests.</summary>
    public bool TestDeep { get; init; }

    /// <summary>Verbose output.</summary>
    public bool Debug { get; init; }

    /// <summary>Quiet output.</summary>
    public bool Silent { get; init; }

    /// <summary>Replace every old guest, past an update's canaries (<c>tappaas promote</c>).</summary>
    public bool Promote { get; init; }

    /// <summary>Check only: report drift, change nothing.</summary>
    public bool Check { get; init; }

    /// <summary>Act on this guest id instead of the configured one.</summary>
    public string? VmIdOverride { get; init; }

    /// <summary>Act on this node instead of the configured one.</summary>
    public string? NodeOverride { get; init; }

    /// <summary>Use this zone instead of the configured zone0.</summary>
    public string? Zone0Override { get; init; }

    /// <summary>No flags.</summary>
    public static HookFlags None { get; } = new();
}
