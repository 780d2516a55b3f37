using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tappaas.Client;

/// <summary>
/// The API's JSON, generated at build time: a command decodes its answer without building serializers by reflection
/// at run time (that, not the request, was most of a short command's time). A type not listed here still works, by
/// reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthV1))]
[JsonSerializable(typeof(SiteStatusV1))]
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
internal sealed partial class ApiJson : JsonSerializerContext
{
    /// <summary>Web defaults (camelCase, case-insensitive reading), generated metadata first, reflection for the rest.</summary>
    public static JsonSerializerOptions Create(bool indented = false) => new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(Default, new DefaultJsonTypeInfoResolver()),
        WriteIndented = indented,
    };
}
