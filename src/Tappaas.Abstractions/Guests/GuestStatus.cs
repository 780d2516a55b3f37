namespace Tappaas.Abstractions.Guests;

/// <summary>Where a guest is in its life: a closed set every platform maps onto.</summary>
public enum GuestStatus
{
    /// <summary>Being started (its workload not yet running).</summary>
    Starting,

    /// <summary>Its workload runs (ready or not: see <see cref="GuestSnapshot.Ready"/>).</summary>
    Running,

    /// <summary>Its workload ended or failed a check and is being started again after a back-off.</summary>
    Restarting,

    /// <summary>Its workload is stopped on purpose while its supervisor stays (a disk restore).</summary>
    Held,

    /// <summary>Stopped on request.</summary>
    Stopped,

    /// <summary>Given up on (its restart limit reached); the reason says why.</summary>
    Failed,

    /// <summary>Nothing is known of it (its supervisor wrote no state).</summary>
    Unknown,
}

/// <summary>Questions about a <see cref="GuestStatus"/>.</summary>
public static class GuestStatusExtensions
{
    /// <summary>True for the states a guest does not leave by itself.</summary>
    public static bool IsTerminal(this GuestStatus status) => status is GuestStatus.Stopped or GuestStatus.Failed;

    /// <summary>The status as its supervisor writes it (<c>running</c>, <c>failed</c>, …); <see cref="GuestStatus.Unknown"/> for anything else.</summary>
    public static GuestStatus Parse(string? text) => text switch
    {
        "starting" => GuestStatus.Starting,
        "running" => GuestStatus.Running,
        "restarting" => GuestStatus.Restarting,
        "held" => GuestStatus.Held,
        "stopped" => GuestStatus.Stopped,
        "failed" => GuestStatus.Failed,
        _ => GuestStatus.Unknown,
    };

    /// <summary>The status in lower case, as the API and CLI show it.</summary>
    public static string Text(this GuestStatus status) => status == GuestStatus.Unknown ? "absent" : status.ToString().ToLowerInvariant();
}
