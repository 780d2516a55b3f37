using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Apply;

/// <summary>What steps run against: the site, its store, providers, hooks, clock, and the run's payload.</summary>
internal sealed class StepContext(SiteLayout layout, IStateStore store, IProviderFactory providers, IModuleHooks hooks, HookFlags flags, ApplyPayload payload)
{
    public SiteLayout Layout { get; } = layout;

    public IStateStore Store { get; } = store;

    public IProviderFactory Providers { get; } = providers;

    public IModuleHooks Hooks { get; } = hooks;

    public HookFlags Flags { get; } = flags;

    public ApplyPayload Payload { get; } = payload;

    /// <summary>The site's configuration and zones, read once for the run (providers get it with every request).</summary>
    public Model.Site.SiteSnapshot Site { get; } = Model.Site.SiteSnapshot.Read(layout.ConfigDir);

    /// <summary>Snapshot ids taken in this run (rebuilt from the journal on resume).</summary>
    public Dictionary<string, string> Snapshots { get; } = new(StringComparer.Ordinal);

    // Named by the installed copy (config/<name>.json), which the run writes from the same text: a provider's diagnostic
    // points at the service there (its config block or dependsOn item).
    public ModuleDefinition Desired(string module) => Installed(module, Payload.Definitions.GetValueOrDefault(module) ?? Payload.Previous[module]!);

    public ModuleDefinition? Previous(string module) => Payload.Previous.GetValueOrDefault(module) is { } json ? Installed(module, json) : null;

    /// <summary>Calls the step's provider for <paramref name="consumer"/>; its diagnostics point at the service in the consumer's file.</summary>
    public async ValueTask<OperationResult> CallAsync(ApplyStep step, ModuleDefinition consumer,
        Func<IResourceProvider, ProviderRequest, ValueTask<OperationResult>> call)
    {
        var request = Request(step, consumer);
        return (await call(Provider(step), request)).At(consumer.LocationOf(request.Service));
    }

    private ModuleDefinition Installed(string module, string json) =>
        new(module, Layout.ModuleFile(module), (JObject)JsonSource.Parse(Layout.ModuleFile(module), Encoding.UTF8.GetBytes(json)).Root!);

    public string Folder(string module) => Payload.Folders.GetValueOrDefault(module) ?? Layout.ConfigDir;

    public ProviderRequest Request(ApplyStep step, ModuleDefinition consumer) =>
        new(consumer, ServiceRef.Parse(step.Service!), Folder(step.Module), Layout.Root, FlagsFor(step.Module))
        {
            Site = Site, Progress = Progress is { } report ? detail => report(step, detail) : null,
        };

    /// <summary>Journals a step's progress line (phase <c>progress</c>); set by the applier for the run.</summary>
    public Action<ApplyStep, string>? Progress { get; set; }

    public IResourceProvider Provider(ApplyStep step) => Providers.Resolve(ServiceRef.Parse(step.Service!), step.ProviderFolder ?? Folder(step.Module));

    public ModuleHookRequest HookRequest(string module) => new(module, Folder(module), Layout.Root, FlagsFor(module));

    /// <summary>
    /// The flags of a step: the operator's, and for a delete, as upstream always exports them there, the guest's VMID
    /// and node (<c>TAPPAAS_VMID_OVERRIDE</c>, <c>TAPPAAS_NODE_OVERRIDE</c>; the module's node, else the site's first).
    /// </summary>
    private HookFlags FlagsFor(string module)
    {
        if (Payload.Command != "delete" || Previous(module) is not { } deleted)
        {
            return Flags;
        }

        return Flags with
        {
            VmIdOverride = Flags.VmIdOverride ?? deleted.VmId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            NodeOverride = Flags.NodeOverride ?? deleted.Node ?? Site.DefaultNode,
        };
    }

    public static ModuleDefinition Parse(string module, string json) =>
        new(module, module + ".json", (JObject)JsonSource.Parse(module + ".json", Encoding.UTF8.GetBytes(json)).Root!);
}
