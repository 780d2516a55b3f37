using System.Globalization;
using Tappaas.Model.Fields;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;

namespace Tappaas.Model.Resolved;

/// <summary>
/// Builds a <see cref="ResolvedModule"/>: the field table's defaults (<see cref="ModuleFields"/>) and the site's (its
/// domain, its first node) applied once, the workload block read. Pure; the definition is expected to be valid
/// (validation reports what is not), and values that are not are read as their defaults.
/// </summary>
public static class ModuleResolver
{
    public static ResolvedModule Resolve(ModuleDefinition module, SiteSnapshot? site = null)
    {
        var workload = ResolvedWorkload.From(module);
        var diskSize = module.Text("diskSize") ?? Default("diskSize");
        return new ResolvedModule
        {
            Definition = module,
            VmName = module.VmName,
            VmId = module.VmId,
            Zone0 = module.Text("zone0") ?? Default("zone0"),
            Zone1 = module.Zone1,
            Node = module.Node ?? site?.DefaultNode,
            Ip = module.Text("ip"),
            Cores = (int)Math.Clamp(module.Integer("cores") ?? DefaultInteger("cores"), 1, int.MaxValue),
            MemoryMiB = module.Integer("memory") ?? DefaultInteger("memory"),
            DiskSize = diskSize,
            DiskBytes = Modules.DiskSize.Bytes(diskSize),
            Location = module.Text("location"),
            Variant = module.Text("variant"),
            Archived = module.Text("status") == "archived",
            Proxy = module.DependsOnService("firewall:proxy") ? Proxy(module, workload, site?.Domain) : null,
            Backup = new ResolvedBackup(module.Text("backupSchedule"), module.Field("backupRetention")?.Value, module.Text("verifySchedule"), module.Strings("alwaysBackup")),
            Workload = workload,
            ImageType = module.Text("imageType") ?? "clone",
            Image = module.Text("imageType") == "oci" ? Images.ImageReference.TryParse(module.Text("image"), out _) : null,
        };
    }

    /// <summary>The public name of a proxied module: <c>proxyDomain</c>, else <c>&lt;vmname&gt;.&lt;domain&gt;</c>, else null.</summary>
    public static string? ProxyHost(ModuleDefinition module, string? domain) =>
        module.Text("proxyDomain") is { Length: > 0 } d ? d : domain is { Length: > 0 } ? $"{module.VmName}.{domain}" : null;

    private static ResolvedProxy Proxy(ModuleDefinition module, ResolvedWorkload? workload, string? domain)
    {
        var port = (int)(module.Integer("proxyPort") ?? DefaultInteger("proxyPort"));
        var workloadPort = workload?.Ports.FirstOrDefault(p => p.Value == port).Key;
        var problem = workload is not null && workloadPort is null
            ? $"$.proxyPort of {module.Name}: the workload listens on {string.Join(", ", workload.Ports.Values)}, not on {port}; set \"proxyPort\" to one of them"
            : null;
        var allowed = module.Strings("proxyAllowedZones");
        return new ResolvedProxy(ProxyHost(module, domain), port, allowed.Count > 0 ? allowed : null,
            module.Boolean("proxyUpstreamTls") == true, module.Boolean("proxyUpstreamHttp1") == true, module.Boolean("proxyPreserveHost") == true,
            workloadPort, problem);
    }

    private static string Default(string field) => ModuleFields.Find(field)?.Default ?? throw new InvalidOperationException($"the field table has no default for {field}");

    private static long DefaultInteger(string field) => long.Parse(Default(field), CultureInfo.InvariantCulture);
}
