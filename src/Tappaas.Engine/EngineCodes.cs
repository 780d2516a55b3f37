namespace Tappaas.Engine;

/// <summary>Diagnostic codes of the engine (TAP09xx).</summary>
public static class EngineCodes
{
    public const string Locked = "TAP0901";
    public const string StalePlan = "TAP0902";
    public const string AlreadyInstalled = "TAP0903";
    public const string NotInstalled = "TAP0904";
    public const string HasDependents = "TAP0905";
    public const string NeedsConfirmation = "TAP0906";
    public const string StepFailed = "TAP0907";
    public const string UnknownRevision = "TAP0908";
    public const string ModuleNotFound = "TAP0909";
    public const string SiteMissing = "TAP0910";
    public const string InvalidDefinition = "TAP0911";
    public const string Warning = "TAP0912";
    public const string MergeConflict = "TAP0913";
    public const string ServiceHooksMissing = "TAP0914";
    public const string ArchivedNeedsForce = "TAP0915";
    public const string Unobserved = "TAP0916";
    public const string ImageUnresolved = "TAP0917";
}
