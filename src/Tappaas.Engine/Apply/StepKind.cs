namespace Tappaas.Engine.Apply;

/// <summary>What an apply step does.</summary>
public enum StepKind
{
    /// <summary>Write the module's new definition to the config folder, where hook scripts read it.</summary>
    StageConfig,

    /// <summary>Snapshot the module's guest (when its provider can).</summary>
    Snapshot,

    /// <summary>Run every dependency's test and the module's own before an update.</summary>
    PreTest,

    /// <summary>Run a module hook (install.sh, pre-update.sh, update.sh, delete.sh).</summary>
    ModuleHook,

    /// <summary>A provider sets its service up for the module.</summary>
    ServiceInstall,

    /// <summary>A provider converges its service for the module.</summary>
    ServiceUpdate,

    /// <summary>A provider removes its service for the module.</summary>
    ServiceDelete,

    /// <summary>Record the module in the state store (a new revision).</summary>
    Commit,

    /// <summary>Run the tests after an update.</summary>
    PostTest,

    /// <summary>Mark the module archived (delete --archive).</summary>
    Archive,

    /// <summary>Forget the module and remove its files (delete --remove).</summary>
    Remove,
}
