namespace Tappaas.Model.Zones;

/// <summary>Activation state of a zone.</summary>
public enum ZoneState
{
    /// <summary>Created and configured by the platform.</summary>
    Active,

    /// <summary>Like Active, and may not be disabled.</summary>
    Mandatory,

    /// <summary>Not created; removed if present.</summary>
    Inactive,

    /// <summary>Same as Inactive (used by teardown).</summary>
    Disabled,

    /// <summary>Managed by hand; the platform neither creates nor removes it.</summary>
    Manual,
}

/// <summary>Helpers for <see cref="ZoneState"/>.</summary>
public static class ZoneStateExtensions
{
    /// <summary>True when modules may be placed in a zone with this state (Active, Mandatory or Manual).</summary>
    public static bool IsDeployable(this ZoneState state) => state is ZoneState.Active or ZoneState.Mandatory or ZoneState.Manual;

    /// <summary>True when the platform creates the zone's network (Active or Mandatory).</summary>
    public static bool IsActive(this ZoneState state) => state is ZoneState.Active or ZoneState.Mandatory;
}
