using System.Text.Json;
using Tappaas.Client.IO;

namespace Tappaas.Client;

/// <summary>A plan saved to a file (<c>tappaas plan --out FILE</c>) and read back to apply it (<c>tappaas apply FILE</c>): the API's <see cref="PlanV1"/> as JSON.</summary>
public static class SavedPlan
{
    private static readonly JsonSerializerOptions s_json = ApiJson.Create(indented: true);

    /// <summary>Writes the plan (atomically: a reader sees the old file or the whole new one).</summary>
    public static void Save(string path, PlanV1 plan) => AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(plan, ApiJson.Info<PlanV1>(s_json)));

    /// <summary>Reads a saved plan, or says what is wrong with the file and how to make one.</summary>
    public static (PlanV1? Plan, string? Problem) Load(string path)
    {
        var remake = $"make one with 'tappaas plan MODULE --out {path}'";
        if (!File.Exists(path))
        {
            return (null, $"{path}: no such file; {remake}");
        }

        try
        {
            var plan = JsonSerializer.Deserialize(File.ReadAllBytes(path), ApiJson.Info<PlanV1>(s_json));
            return plan is { Run: { ValueKind: JsonValueKind.Object }, Changes: not null }
                ? (plan, null)
                : (null, $"{path}: not a saved plan (it has no \"run\" object); {remake}");
        }
        catch (JsonException ex)
        {
            return (null, $"{path}: not a saved plan ({ex.Message}); {remake}");
        }
        catch (IOException ex)
        {
            return (null, $"{path}: cannot be read ({ex.Message})");
        }
    }
}
