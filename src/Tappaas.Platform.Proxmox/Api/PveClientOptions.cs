namespace Tappaas.Platform.Proxmox.Api;

/// <summary>How to reach a Proxmox VE cluster.</summary>
public sealed record PveClientOptions
{
    /// <summary>Base address, e.g. <c>https://tappaas1.mgmt.internal:8006</c> (the <c>/api2/json</c> prefix is added).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The token id, <c>USER@REALM!TOKENID</c>.</summary>
    public required string TokenId { get; init; }

    /// <summary>The token secret (never logged).</summary>
    public required string Secret { get; init; }

    /// <summary>SHA-256 fingerprint of the server certificate to pin (hex, colons optional); null to use the system trust.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Timeout of one HTTP call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often long-running tasks are polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a task may run before it is reported as timed out.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long to wait for the guest agent after start.</summary>
    public TimeSpan AgentTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Attempts for calls that are safe to repeat (reads).</summary>
    public int ReadAttempts { get; init; } = 3;
}
