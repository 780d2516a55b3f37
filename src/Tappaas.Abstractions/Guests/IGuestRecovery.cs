using Tappaas.Model.Resolved;

namespace Tappaas.Abstractions.Guests;

/// <summary>
/// Brings back what should run and does not (Nomad's RecoverTask): after a host reboot, a killed supervisor, a VM that
/// stopped. The daemon's reconciler calls each platform in turn; one platform's failure never stops another's.
/// </summary>
public interface IGuestRecovery
{
    /// <summary>The platform's name.</summary>
    string Provider { get; }

    /// <summary>Starts again the guests of <paramref name="installed"/> this platform runs that are neither running nor given up on; returns what it did.</summary>
    Task<IReadOnlyList<GuestRecovered>> RecoverAsync(IReadOnlyList<ResolvedModule> installed, CancellationToken cancellationToken);
}

/// <summary>A guest a platform started again, and why it had to.</summary>
public sealed record GuestRecovered(string Module, string Guest, string Cause);
