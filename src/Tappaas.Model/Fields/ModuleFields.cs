using Tappaas.Model.Modules;

namespace Tappaas.Model.Fields;

/// <summary>
/// Every field of a TAPPaaS module file, in the canonical order, with types, defaults, constraints and the
/// services that require or use each. Facts follow upstream's field dictionary; the table is ours.
/// </summary>
public static partial class ModuleFields
{
    private static readonly ServiceRef[] s_vm = [Svc("cluster:vm")];
    private static readonly ServiceRef[] s_vmLxc = [Svc("cluster:vm"), Svc("cluster:lxc")];
    private static readonly ServiceRef[] s_proxy = [Svc("firewall:proxy")];
    private static readonly ServiceRef[] s_rules = [Svc("firewall:rules")];
    private static readonly ServiceRef[] s_backup = [Svc("backup:vm")];
    private static readonly ServiceRef[] s_ha = [Svc("cluster:ha")];
    private static readonly string[] s_bools = ["true", "false"];

    private const string NamePattern = "^[a-zA-Z][a-zA-Z0-9-]*$";
    private const string ZonePattern = "^[a-z][a-zA-Z0-9]*$";
    private const string TrunksPattern = "^([a-z][a-zA-Z0-9]*(;[a-z][a-zA-Z0-9]*)*|ALL|\\*|NONE)$";
    private const string MacPattern = "^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$";
    private const string TimePattern = "^[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}$";

    /// <summary>Fields in canonical order; fields upstream leaves out of its order come last.</summary>
    public static IReadOnlyList<FieldDefinition> All { get; } =
    [
        F("description", FieldType.String, "Text shown with the guest (e.g. on the hypervisor's summary page).", def: ""),
        F("version", FieldType.String, "Version of the module itself; major 0 means not production-ready.", pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$", example: "0.5.3"),
        F("releaseDate", FieldType.String, "Release date of this module version; set to today at install when absent.", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", example: "2026-02-10", auto: true),
        F("installTime", FieldType.String, "When the module was installed (YYYYMMDD-HH:MM:SS); set by the platform.", pattern: TimePattern, example: "20260307-14:30:45", auto: true),
        F("updateTime", FieldType.String, "When the module was last updated (YYYYMMDD-HH:MM:SS); set by the platform.", pattern: TimePattern, example: "20260307-14:30:45", auto: true),
        F("maintainer", FieldType.String, "Who maintains the module, usually a @handle.", def: ""),
        F("status", FieldType.String, "Development status; 'archived' and 'external' are set by the platform.", def: "Development",
            values: ["Development", "Testing", "Production", "Deprecated", "archived", "external"]),
        F("location", FieldType.String, "Folder of the module's source (scripts, services/); set at install.", auto: true),
        F("variant", FieldType.String, "Variant the module was installed as; set at install.", auto: true, pinned: true),
        F("vmname", FieldType.String, "Guest name, hostname and DNS label; defaults to the file name.", def: "<file name without .json>", pattern: NamePattern, example: "nextcloud", usedBy: s_vmLxc, pinned: true),
        F("vmid", FieldType.Integer, "Numeric guest id, unique in the site.", min: 100, max: 999999, requiredBy: s_vmLxc, usedBy: s_vmLxc, pinned: true),
        F("vmtag", FieldType.String, "Comma-separated tags on the guest.", def: "TAPPaaS", pattern: "^[a-zA-Z0-9]+(,[a-zA-Z0-9]+)*$", example: "TAPPaaS,App", usedBy: s_vmLxc, pinned: true),
        F("node", FieldType.String, "Node that runs the guest; defaults to the site's first node.", def: "<first node>", usedBy: s_vmLxc, pinned: true),
        F("bios", FieldType.String, "Firmware of a VM.", def: "ovmf", values: ["ovmf", "seabios"], usedBy: s_vm),
        F("ostype", FieldType.String, "Guest OS type hint for the hypervisor.", def: "l26",
            values: ["l26", "l24", "win11", "win10", "win8", "win7", "win2k25", "win2k22", "win2k19", "other", "solaris"], usedBy: s_vm),
        F("cputype", FieldType.String, "CPU model presented to a VM.", def: "host", usedBy: s_vm),
        F("cores", FieldType.Integer, "CPU cores.", def: "2", min: 1, max: 128, usedBy: s_vmLxc),
        F("memory", FieldType.Integer, "Memory in MiB.", def: "4096", min: 512, usedBy: s_vmLxc),
        F("diskSize", FieldType.String, "Size of the guest's disk: a number and G, M or K.", def: "8G", pattern: "^[0-9]+[GMK]$", example: "16G", usedBy: s_vmLxc),
        F("storage", FieldType.String, "Storage pool for the guest's disk.", def: "tanka1", usedBy: s_vmLxc),
        F("pbsStorageName", FieldType.String, "Name of the backup storage (set on the backup module).", def: "tappaas_backup", usedBy: s_backup),
        F("alwaysBackup", FieldType.Array, "Modules always backed up (backup module only).", def: "[]", items: ItemRule.Strings, itemPattern: NamePattern, usedBy: s_backup),
        F("imageType", FieldType.String, "How the guest's disk is made: clone a template, boot an ISO, import an image, an apt package, an OCI image (oci) or a host command (process).", def: "clone",
            values: ["clone", "iso", "img", "apt", "oci", "process"], requiredBy: s_vmLxc, usedBy: s_vmLxc),
        F("image", FieldType.String, "What to build from: template id (clone), file name (iso/img), package (apt) or image reference (oci: registry/name:tag or @sha256:...).", requiredBy: s_vmLxc, usedBy: s_vmLxc),
        F("imageDigest", FieldType.String, "Written by the platform at install and update: the digest an OCI image's tag named then, so the revision runs exactly that image (a rollback returns to it). Not written by hand.",
            pattern: "^sha256:[a-f0-9]{64}$", example: "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", usedBy: s_vmLxc),
        F("imageLocation", FieldType.String, "URL or absolute path where an iso/img image is found.", pattern: "^(https?://.+|/.+)$", example: "https://example.org/images/", usedBy: s_vm),
        F("os", FieldType.String, "Operating-system family; detected from the image name when absent.", def: "<from image name>",
            values: ["debian", "ubuntu", "nixos", "windows", "unknown"], usedBy: s_vm),
        F("cloudInit", FieldType.String, "Whether the guest takes cloud-init.", def: "true", values: s_bools, usedBy: s_vm),
        F("sshAccess", FieldType.String, "Whether the platform manages the guest over SSH.", def: "true", values: s_bools, usedBy: s_vm),
        F("autoInstall", FieldType.Boolean, "Whether a template can be built unattended.", def: "false", usedBy: s_vm),
        F("HANode", FieldType.String, "Failover node; must differ from node.", def: "<first other node>", usedBy: s_ha),
        F("replicationSchedule", FieldType.String, "How often the guest's disk is replicated to HANode.", def: "*/15", usedBy: s_ha),
        F("bridge0", FieldType.String, "Bridge of the first network interface.", def: "lan", usedBy: s_vmLxc),
        F("mac0", FieldType.String, "MAC address of the first interface; random when absent.", def: "<random>", pattern: MacPattern, example: "02:57:4E:A6:B2:10", usedBy: s_vmLxc, pinned: true),
        F("zone0", FieldType.String, "Network zone of the first interface (a zones.json key).", def: "mgmt", pattern: ZonePattern, example: "srvHome", usedBy: s_vmLxc, pinned: true),
        F("trunks0", FieldType.String, "Extra zones trunked on the first interface: zone;zone, ALL, * or NONE.", def: "NONE", pattern: TrunksPattern, example: "srvHome;iotLocal", usedBy: s_vmLxc),
        F("bridge1", FieldType.String, "Bridge of the second network interface; its presence adds the interface.", def: "lan", usedBy: s_vmLxc),
        F("mac1", FieldType.String, "MAC address of the second interface.", def: "<random>", pattern: MacPattern, example: "02:57:4E:A6:B2:11", usedBy: s_vmLxc, pinned: true),
        F("zone1", FieldType.String, "Network zone of the second interface.", def: "mgmt", pattern: ZonePattern, example: "dmz", usedBy: s_vmLxc, pinned: true),
        F("trunks1", FieldType.String, "Extra zones trunked on the second interface.", def: "NONE", pattern: TrunksPattern, example: "ALL", usedBy: s_vmLxc),
        F("firewallType", FieldType.String, "Which firewall the proxy and rules are configured on.", def: "opnsense", values: ["opnsense", "NONE"], usedBy: s_proxy),
        F("aliasType", FieldType.String, "Firewall alias for the module: its host name, or its zone's subnet.", def: "host", values: ["host", "network"], usedBy: s_proxy),
        F("ip", FieldType.String, "Static IPv4 address (outside the zone's DHCP range).", pattern: "^([0-9]{1,3}\\.){3}[0-9]{1,3}$", example: "10.4.10.20",
            requiredBy: [Svc("firewall:dns")], usedBy: [Svc("firewall:dns")]),
        F("proxyDomain", FieldType.String, "Public host name of the module's web interface.", def: "<vmname>.<site domain>", pattern: "^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$", example: "cloud.example.org", usedBy: s_proxy),
        F("proxyPort", FieldType.Integer, "Port the reverse proxy forwards to on the guest.", def: "80", min: 1, max: 65535, usedBy: s_proxy),
        F("proxyUpstreamTls", FieldType.String, "Whether the guest itself speaks HTTPS.", def: "false", values: s_bools, usedBy: s_proxy),
        F("proxyUpstreamHttp1", FieldType.String, "Force HTTP/1.1 to the guest (WebSockets).", def: "false", values: s_bools, usedBy: s_proxy),
        F("proxyPreserveHost", FieldType.String, "Send the public Host header to the guest.", def: "false", values: s_bools, usedBy: s_proxy),
        F("proxyTls", FieldType.String, "How the proxy gets its certificate.", def: "dns01", values: ["dns01", "http01"], usedBy: s_proxy),
        F("proxyAllowedZones", FieldType.Array, "Zones (or 'internet') whose clients may reach the proxy route.", def: "<Active Service zones, home, work, mgmt>",
            items: ItemRule.Strings, itemPattern: "^([a-z][a-zA-Z0-9]*|internet)$", usedBy: s_proxy),
        F("discoveryMdns", FieldType.Array, "Zones that receive the module's mDNS announcements.", def: "[]", items: ItemRule.Strings, itemPattern: ZonePattern, usedBy: [Svc("firewall:discovery")]),
        F("discoveryUdpRelay", FieldType.Array, "UDP broadcast ports relayed to other zones.", def: "[]", items: ItemRule.UdpRelay, usedBy: [Svc("firewall:discovery")]),
        F("ports", FieldType.Array, "Ports the module listens on.", def: "[]", items: ItemRule.Ports, usedBy: s_rules),
        F("ingress", FieldType.Array, "Who may connect to the module, on which ports.", def: "[]", items: ItemRule.Ingress, usedBy: s_rules),
        F("egress", FieldType.Array, "Where the module may connect beyond its zone's baseline.", def: "[]", items: ItemRule.Egress, usedBy: s_rules),
        F("aliases", FieldType.Object, "Module-local firewall aliases.", def: "{}", items: ItemRule.Aliases, usedBy: s_rules),
        F("natRules", FieldType.Array, "Port forwards from the WAN to the module.", def: "[]", items: ItemRule.NatRules, usedBy: [Svc("firewall:nat")]),
        F("dependsOn", FieldType.Array, "Services the module needs, as module:service.", def: "[]", items: ItemRule.Strings, itemPattern: ServiceRef.Pattern, pinned: true),
        F("provides", FieldType.Array, "Services the module offers to others.", def: "[]", items: ItemRule.Strings, itemPattern: NamePattern, pinned: true),

        // Not part of upstream's canonical order: they follow the ordered fields in input order.
        F("appVersion", FieldType.String, "Version of the application the module deploys (free text)."),
        F("windows", FieldType.Object, "Windows options, e.g. {\"enableRDP\": false}.", items: ItemRule.Windows, usedBy: [Svc("templates:windows")]),
        F("identity", FieldType.Object, "Single sign-on options for identity:identity.", def: "{}", items: ItemRule.Identity, usedBy: [Svc("identity:identity")]),
        F("backupSchedule", FieldType.String, "When the module's disk is backed up (embedded platform): a cron expression; the site default otherwise.", def: "<tappaas.backup.schedule, else 0 3 * * *>", example: "0 3 * * *", usedBy: s_backup),
        F("backupRetention", FieldType.Object, "Which backups are kept: {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly}.", def: "<tappaas.backup.retention>", usedBy: s_backup),
        F("verifySchedule", FieldType.String, "When the newest backup is restored into a scratch guest and health-checked: a cron expression.", def: "<tappaas.backup.verifySchedule, else none>", example: "0 5 * * 0", usedBy: s_backup),
        F("workload", FieldType.Object, "What the guest runs on the embedded platform: command, args, env, ports, health, restart, replicas, update, autoscale.", items: ItemRule.Workload, usedBy: s_vm),
        F("config", FieldType.Object, "Fields grouped per dependency: {\"module:service\": {field: value}}.", pinned: true),
    ];

    private static readonly Dictionary<string, FieldDefinition> s_byName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, int> s_order = All.Select((f, i) => (f.Name, i)).ToDictionary(t => t.Name, t => t.i, StringComparer.Ordinal);

    /// <summary>Number of fields that have a place in the canonical order (the rest follow in input order).</summary>
    public const int OrderedCount = 58;

    /// <summary>Looks a field up by name.</summary>
    public static FieldDefinition? Find(string name) => s_byName.GetValueOrDefault(name);

    /// <summary>The field's place in canonical order, or null when it has none.</summary>
    public static int? OrderOf(string name) => s_order.TryGetValue(name, out var i) && i < OrderedCount ? i : null;

    /// <summary>Keys that are comments (upstream's <c>-comment</c> convention) and are never checked.</summary>
    public static bool IsComment(string name) => name.StartsWith('-');

    private static ServiceRef Svc(string text) => ServiceRef.Parse(text);

    private static FieldDefinition F(
        string name, FieldType type, string summary, string? def = null, string? pattern = null, string? example = null,
        string[]? values = null, long? min = null, long? max = null, ServiceRef[]? requiredBy = null, ServiceRef[]? usedBy = null,
        ItemRule items = ItemRule.None, string? itemPattern = null, bool auto = false, bool pinned = false) =>
        new()
        {
            Name = name, Type = type, Summary = summary, Default = def, Pattern = pattern, Example = example,
            Values = values, Minimum = min, Maximum = max, RequiredBy = requiredBy ?? [], UsedBy = usedBy ?? [],
            Items = items, ItemPattern = itemPattern, AutoManaged = auto, HeaderPinned = pinned,
        };
}
