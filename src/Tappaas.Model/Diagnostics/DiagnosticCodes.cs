namespace Tappaas.Model.Diagnostics;

/// <summary>Stable diagnostic codes. Tests and tools match on these, never on message text.</summary>
public static class DiagnosticCodes
{
    // Files and syntax (TAP00xx)
    public const string FileUnreadable = "TAP0001";
    public const string EmptyFile = "TAP0002";
    public const string InvalidJson = "TAP0003";
    public const string TooDeep = "TAP0004";
    public const string FileTooLarge = "TAP0005";
    public const string InvalidUtf8 = "TAP0006";
    public const string DuplicateKey = "TAP0007";
    public const string RootNotObject = "TAP0008";
    public const string NothingFound = "TAP0009";
    public const string PathNotFound = "TAP0010";
    public const string ZonesSelected = "TAP0011";

    // Module fields (TAP01xx)
    public const string UnknownField = "TAP0101";
    public const string WrongType = "TAP0102";
    public const string PatternMismatch = "TAP0103";
    public const string NotAllowedValue = "TAP0104";
    public const string BelowMinimum = "TAP0105";
    public const string AboveMaximum = "TAP0106";
    public const string MissingRequired = "TAP0107";
    public const string InvalidItem = "TAP0108";
    public const string ConfigKeyNotInDependsOn = "TAP0109";
    public const string FieldInHeaderAndBlock = "TAP0110";
    public const string FieldInTwoBlocks = "TAP0111";
    public const string ConfigBlockNotObject = "TAP0112";
    public const string ImageLocationRequired = "TAP0113";
    public const string HaNodeEqualsNode = "TAP0114";
    public const string HaNodeUnknown = "TAP0115";
    public const string ZoneUnknown = "TAP0116";
    public const string ZoneNotDeployable = "TAP0117";
    public const string VmAndLxc = "TAP0118";
    public const string Deprecated = "TAP0119";
    public const string ZoneChecksSkipped = "TAP0120";
    public const string InvalidConfigKey = "TAP0121";
    public const string ServiceHooksMissing = "TAP0122";
    public const string ServiceFolderUnused = "TAP0123";
    public const string ImageReferenceInvalid = "TAP0124";

    // Sets of modules (TAP02xx)
    public const string DuplicateVmid = "TAP0201";
    public const string DuplicateModuleName = "TAP0202";

    // Dependency graph (TAP03xx)
    public const string ProviderMissing = "TAP0301";
    public const string ServiceNotProvided = "TAP0302";
    public const string Cycle = "TAP0303";
    public const string UnknownModule = "TAP0304";

    // Zones (TAP04xx)
    public const string ZoneNameInvalid = "TAP0401";
    public const string ZoneTypeUnknown = "TAP0402";
    public const string ZoneTypeIdMismatch = "TAP0403";
    public const string ZoneVlanFormula = "TAP0404";
    public const string ZoneIpFormula = "TAP0405";
    public const string ZoneStateInvalid = "TAP0406";
    public const string ZoneFieldMissing = "TAP0407";
    public const string ZoneReferenceUnknown = "TAP0408";
    public const string ZoneValueInvalid = "TAP0409";
    public const string ZoneDuplicateVlan = "TAP0410";
    public const string ZoneIsolation = "TAP0411";

    // Site configuration (TAP05xx)
    public const string SiteFieldMissing = "TAP0501";
    public const string SiteValueInvalid = "TAP0502";
    public const string SiteNodeCount = "TAP0503";
    public const string SiteDuplicateNode = "TAP0504";
    public const string SiteChangeMe = "TAP0505";

    // Catalog (TAP06xx)
    public const string CatalogFieldMissing = "TAP0601";
    public const string CatalogValueInvalid = "TAP0602";
    public const string CatalogDuplicateVmid = "TAP0603";
    public const string CatalogDanglingPath = "TAP0604";
    public const string CatalogUnknownField = "TAP0605";

    // Sidecars (TAP07xx)
    public const string SidecarInvalid = "TAP0701";

    // Providers acting for a module (TAP08xx): where it applies, the diagnostic points at the service in the module's file.
    public const string ProviderFailed = "TAP0801";
    public const string BackendRefused = "TAP0802";
    public const string BackendCannotPlace = "TAP0803";
}
