namespace Tappaas.Platform.Proxmox.Api;

/// <summary>A Proxmox VE call that failed; the message is written for the operator and names the call.</summary>
public sealed class PveApiException(string message, int statusCode = 0) : Exception(message)
{
    /// <summary>HTTP status, or 0 when the call did not get an answer (timeout, connection refused).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>True when Proxmox reported a lock it could not get (another operation holds the guest).</summary>
    public bool IsLockHeld => Message.Contains("can't lock", StringComparison.OrdinalIgnoreCase) || Message.Contains("lock", StringComparison.OrdinalIgnoreCase) && Message.Contains("timeout", StringComparison.OrdinalIgnoreCase);
}
