namespace Tappaas.Engine.Apply;

/// <summary>
/// Everything a run needs, stored with it in the journal so a restarted process can resume or roll it back without
/// the files or flags it was started from.
/// </summary>
public sealed record ApplyPayload
{
    /// <summary>install, update, delete, rollback.</summary>
    public required string Command { get; init; }

    /// <summary>The state revision the run was planned from.</summary>
    public long StateRevision { get; init; }

    /// <summary>Desired definition per module (canonical JSON).</summary>
    public Dictionary<string, string> Definitions { get; init; } = [];

    /// <summary>The recorded definition before the run, per module (null when it was not installed).</summary>
    public Dictionary<string, string?> Previous { get; init; } = [];

    /// <summary>The release file each module came from, written as its merge baseline.</summary>
    public Dictionary<string, string> Releases { get; init; } = [];

    /// <summary>
    /// The installed copy (<c>config/&lt;name&gt;.json</c>) and its merge baseline (<c>.orig</c>) as they were before the run,
    /// per module (a null text: the file did not exist), so a rollback restores the operator's own file, edits and all.
    /// </summary>
    public Dictionary<string, PriorFiles> PriorFiles { get; init; } = [];

    /// <summary>Each module's source folder.</summary>
    public Dictionary<string, string> Folders { get; init; } = [];

    /// <summary>Snapshot ids taken during the run, per module (filled as the run goes).</summary>
    public Dictionary<string, string> Snapshots { get; init; } = [];

    /// <summary>The steps in order.</summary>
    public List<ApplyStep> Steps { get; init; } = [];

    /// <summary>Continue past a failing pre-test.</summary>
    public bool Force { get; init; }

    /// <summary>For delete: archive (keep config) instead of remove.</summary>
    public bool Archive { get; init; }

    /// <summary>Why the module revisions are recorded (install, update, rollback to r2).</summary>
    public string Reason { get; init; } = "";

    /// <summary>Per module, when the modules of one run are recorded for different reasons (a plan that installs one and updates another).</summary>
    public Dictionary<string, string> ModuleReasons { get; init; } = [];

    /// <summary>Why <paramref name="module"/>'s revision is recorded.</summary>
    public string ReasonFor(string module) => ModuleReasons.GetValueOrDefault(module) ?? Reason;
}

/// <summary>A module's files in the config folder before a run.</summary>
/// <param name="Installed">config/&lt;name&gt;.json, or null when there was none.</param>
/// <param name="Orig">config/&lt;name&gt;.json.orig, or null when there was none.</param>
public sealed record PriorFiles(string? Installed, string? Orig);
