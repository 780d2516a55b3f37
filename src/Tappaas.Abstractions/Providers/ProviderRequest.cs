using Tappaas.Model.Modules;

namespace Tappaas.Abstractions.Providers;

/// <summary>One operation of a provider on behalf of a consumer module.</summary>
/// <param name="Consumer">The consumer module's definition (as it will be recorded after the step).</param>
/// <param name="Service">The consumed service.</param>
/// <param name="ConsumerFolder">The consumer module's source folder (the working directory of hook scripts).</param>
/// <param name="SiteFolder">The site folder (config, state, logs).</param>
/// <param name="Flags">Operator flags.</param>
public sealed record ProviderRequest(ModuleDefinition Consumer, ServiceRef Service, string ConsumerFolder, string SiteFolder, HookFlags Flags)
{
    /// <summary>The deterministic name of the external object this service creates for the consumer.</summary>
    public string ObjectName => ExternalNames.For(Consumer.Name, Service);
}
