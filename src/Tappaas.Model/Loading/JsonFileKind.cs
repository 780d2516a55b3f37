namespace Tappaas.Model.Loading;

/// <summary>What a JSON file in a TAPPaaS tree is.</summary>
public enum JsonFileKind
{
    /// <summary>A module definition (<c>&lt;name&gt;.json</c>).</summary>
    Module,

    /// <summary>The zone table (<c>zones.json</c>).</summary>
    Zones,

    /// <summary>The site configuration (<c>configuration.json</c>).</summary>
    SiteConfiguration,

    /// <summary>A module catalog (<c>module-catalog.json</c>).</summary>
    Catalog,

    /// <summary>The catalog under its older name, <c>modules.json</c>, that community repositories still carry: read, its problems only warnings.</summary>
    LegacyCatalog,

    /// <summary>A schema or field dictionary (<c>*-fields.json</c>, files with <c>$schema</c>).</summary>
    Schema,

    /// <summary>A service's auto-pinhole declaration (<c>services/&lt;svc&gt;/pinhole.json</c>).</summary>
    Pinhole,

    /// <summary>A container module's provisioning sidecar (<c>&lt;name&gt;.meta.json</c>).</summary>
    LxcMeta,

    /// <summary>Global firewall aliases (<c>aliases.json</c>).</summary>
    Aliases,

    /// <summary>A service's own document or template under <c>services/&lt;svc&gt;/</c>.</summary>
    ServiceDocument,

    /// <summary>A JSON file that is none of the above; skipped.</summary>
    Other,

    /// <summary>The file could not be parsed.</summary>
    Unreadable,
}
