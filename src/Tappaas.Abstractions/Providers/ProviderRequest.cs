using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;

namespace Tappaas.Abstractions.Providers;

/// <summary>One operation of a provider on behalf of a consumer module.</summary>
/// <param name="Consumer">The consumer module's definition (as it will be recorded after the step).</param>
/// <param name="Service">The consumed service.</param>
/// <param name="ConsumerFolder">The consumer module's source folder (the working directory of hook scripts).</param>
/// <param name="SiteFolder">The site folder (config, state, logs).</param>
/// <param name="Flags">Operator flags.</param>
/// <remarks>
/// <see cref="Site"/> is the site as the run read it once (a request made without one reads it on first use), and
/// <see cref="Module"/> the consumer resolved against it: providers read those, not raw JSON.
/// </remarks>
public sealed record ProviderRequest(ModuleDefinition Consumer, ServiceRef Service, string ConsumerFolder, string SiteFolder, HookFlags Flags)
{
    private SiteSnapshot? _site;
    private (ModuleDefinition Consumer, SiteSnapshot Site, ResolvedModule Module)? _resolved; // a copy made with 'with' resolves anew

    /// <summary>
    /// Tells what a long operation is doing now (an image pull): a line for the run's journal, which the CLI and the
    /// API's progress stream show while the step runs. Null when nobody listens.
    /// </summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The site's configuration and zones as the run read them.</summary>
    public SiteSnapshot Site
    {
        get => _site ??= SiteSnapshot.Read(Path.Combine(SiteFolder, "config"));
        init => _site = value;
    }

    /// <summary>The consumer with every default applied.</summary>
    public ResolvedModule Module
    {
        get
        {
            if (_resolved is not { } r || !ReferenceEquals(r.Consumer, Consumer) || !ReferenceEquals(r.Site, Site))
            {
                r = (Consumer, Site, ModuleResolver.Resolve(Consumer, Site));
                _resolved = r;
            }

            return r.Module;
        }
    }

    /// <summary>The deterministic name of the external object this service creates for the consumer.</summary>
    public string ObjectName => ExternalNames.For(Consumer.Name, Service);
}
