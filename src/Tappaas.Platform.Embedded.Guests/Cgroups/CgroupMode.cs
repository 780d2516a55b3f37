
namespace Tappaas.Platform.Embedded.Guests.Cgroups;

/// <summary>Which cgroup hierarchy the host offers.</summary>
public enum CgroupMode
{
    /// <summary>No usable controllers: limits are not enforced (reported in status).</summary>
    None,

    /// <summary>cgroup v1: separate memory and cpu hierarchies.</summary>
    V1,

    /// <summary>cgroup v2: one unified hierarchy with the memory and cpu controllers.</summary>
    V2,
}
