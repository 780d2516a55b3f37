using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tappaas.Platform.Embedded.Backup;

/// <summary>The backup status files, generated at build time.</summary>
[JsonSerializable(typeof(BackupOutcome))]
[JsonSerializable(typeof(Dictionary<string, ModuleBackupStatus>))]
internal sealed partial class BackupJson : JsonSerializerContext
{
    /// <summary>The same, written indented (the per-module status file is read by people too).</summary>
    public static BackupJson Indented { get; } = new(new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>What restic prints with <c>--json</c>, generated at build time (names matched with any casing).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ResticSummary))]
[JsonSerializable(typeof(List<ResticSnapshot>))]
[JsonSerializable(typeof(List<ResticRepository.ForgetGroup>))]
internal sealed partial class ResticJson : JsonSerializerContext;
