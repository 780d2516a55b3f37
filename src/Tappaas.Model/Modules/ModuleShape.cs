namespace Tappaas.Model.Modules;

/// <summary>How a module file groups its fields.</summary>
public enum ModuleShape
{
    /// <summary>All fields at the top level.</summary>
    Flat,

    /// <summary>Service fields grouped under <c>config["module:service"]</c> (upstream's "Pattern A").</summary>
    Grouped,
}
