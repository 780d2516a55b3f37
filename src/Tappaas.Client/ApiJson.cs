using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tappaas.Client;

/// <summary>
/// The API's JSON, generated at build time: a command decodes its answer without building serializers by reflection
/// at run time (that, not the request, was most of a short command's time), and nothing here needs reflection, so the
/// CLI compiles ahead of time. A type the API sends that is missing here fails at once, in every test of the client.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthV1))]
[JsonSerializable(typeof(SiteStatusV1))]
[JsonSerializable(typeof(FirewallV1))]
[JsonSerializable(typeof(RevisionDetailV1))]
[JsonSerializable(typeof(List<CatalogEntryV1>))]
[JsonSerializable(typeof(ModuleDetailV1))]
[JsonSerializable(typeof(ApplyResultV1))]
[JsonSerializable(typeof(BackupResultV1))]
[JsonSerializable(typeof(ExportResultV1))]
[JsonSerializable(typeof(LogsV1))]
[JsonSerializable(typeof(MigrationV1))]
[JsonSerializable(typeof(PlanV1))]
[JsonSerializable(typeof(ProgressV1))]
[JsonSerializable(typeof(EventV1))]
[JsonSerializable(typeof(TestResultV1))]
[JsonSerializable(typeof(TokenCreatedV1))]
[JsonSerializable(typeof(List<BackupResultV1>))]
[JsonSerializable(typeof(List<BackupStatusV1>))]
[JsonSerializable(typeof(List<BackupV1>))]
[JsonSerializable(typeof(List<EventV1>))]
[JsonSerializable(typeof(List<ImageV1>))]
[JsonSerializable(typeof(List<MigrationV1>))]
[JsonSerializable(typeof(List<ModuleV1>))]
[JsonSerializable(typeof(List<NodeV1>))]
[JsonSerializable(typeof(List<ProgressV1>))]
[JsonSerializable(typeof(List<RevisionV1>))]
[JsonSerializable(typeof(List<TokenV1>))]
[JsonSerializable(typeof(List<ZoneV1>))]
[JsonSerializable(typeof(List<DiagnosticV1>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(InstallRequestV1))]
[JsonSerializable(typeof(PlanRequestV1))]
[JsonSerializable(typeof(ApplyRequestV1))]
[JsonSerializable(typeof(ScaleRequestV1))]
[JsonSerializable(typeof(TokenRequestV1))]
[JsonSerializable(typeof(RegistryLoginV1))]
[JsonSerializable(typeof(FolderRequestV1))]
[JsonSerializable(typeof(MigrateRequestV1))]
[JsonSerializable(typeof(SecretRequestV1))]
[JsonSerializable(typeof(RollbackRequestV1))]
[JsonSerializable(typeof(TestRequestV1))]
public sealed partial class ApiJson : JsonSerializerContext
{
    /// <summary>Web defaults (camelCase, case-insensitive reading) with the generated metadata only.</summary>
    public static JsonSerializerOptions Create(bool indented = false) => new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = Default,
        WriteIndented = indented,
    };

    /// <summary>The generated metadata of <typeparamref name="T"/> under these options.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>The generated metadata of a value's own type under these options.</summary>
    public static JsonTypeInfo Info(JsonSerializerOptions options, Type type) => options.GetTypeInfo(type);
}
