using Tappaas.Model.Modules;

namespace Tappaas.Model.Graph;

/// <summary><paramref name="Consumer"/> depends on <paramref name="Service"/>, which <paramref name="Provider"/> offers.</summary>
/// <param name="Consumer">The depending module.</param>
/// <param name="Service">The service as written in dependsOn.</param>
/// <param name="Provider">The module that provides it.</param>
public sealed record DependencyEdge(string Consumer, ServiceRef Service, string Provider)
{
    /// <summary>True for a module that depends on its own service (legal, as upstream allows).</summary>
    public bool IsSelf => Consumer == Provider;
}
