namespace Tappaas.Engine.Apply;

/// <summary>
/// Everything a run needs, stored with it in the journal so a restarted process can resume or roll it back without
/// the files or flags it was started from.
/// </summary>
/// <remarks>
/// Properties with a default are settable, not init-only: generated JSON code sets every init-only property it
/// knows, so a payload without one (written by an earlier version, a run it left unfinished) would get null instead
/// of the default.
/// </remarks>
public sealed record ApplyPayload
{
    /// <summary>install, update, delete, rollback.</summary>
    public required string Command { get; init; }

    /// <summary>The state revision the run was planned from.</summary>
    public long StateRevision { get; init; }

    /// <summary>Desired definition per module (canonical JSON).</summary>
    public Dictionary<string, string> Definitions { get; set; } = [];

    /// <summary>The recorded definition before the run, per module (null when it was not installed).</summary>
    public Dictionary<string, string?> Previous { get; set; } = [];

    /// <summary>The release file each module came from, written as its merge baseline.</summary>
    public Dictionary<string, string> Releases { get; set; } = [];

    /// <summary>
    /// The installed copy (<c>config/&lt;name&gt;.json</c>) and its merge baseline (<c>.orig</c>) as they were before the run,
    /// per module (a null text: the file did not exist), so a rollback restores the operator's own file, edits and all.
    /// </summary>
    public Dictionary<string, PriorFiles> PriorFiles { get; set; } = [];

    /// <summary>Each module's source folder.</summary>
    public Dictionary<string, string> Folders { get; set; } = [];

    /// <summary>Snapshot ids taken during the run, per module (filled as the run goes).</summary>
    public Dictionary<string, string> Snapshots { get; set; } = [];

    /// <summary>The steps in order.</summary>
    public List<ApplyStep> Steps { get; set; } = [];

    /// <summary>Continue past a failing pre-test.</summary>
    public bool Force { get; init; }

    /// <summary>For delete: archive (keep config) instead of remove.</summary>
    public bool Archive { get; init; }

    /// <summary>Why the module revisions are recorded (install, update, rollback to r2).</summary>
    public string Reason { get; set; } = "";

    /// <summary>Per module, when the modules of one run are recorded for different reasons (a plan that installs one and updates another).</summary>
    public Dictionary<string, string> ModuleReasons { get; set; } = [];

    /// <summary>Why <paramref name="module"/>'s revision is recorded.</summary>
    public string ReasonFor(string module) => ModuleReasons.GetValueOrDefault(module) ?? Reason;
}

/// <summary>A module's files in the config folder before a run.</summary>
/// <param name="Installed">config/&lt;name&gt;.json, or null when there was none.</param>
/// <param name="Orig">config/&lt;name&gt;.json.orig, or null when there was none.</param>
public sealed record PriorFiles(string? Installed, string? Orig);
