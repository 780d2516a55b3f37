using System.Text.Json;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>A run's stored payload read back when it lacks fields (an earlier version wrote it, a run it left unfinished).</summary>
public sealed class ApplyPayloadJsonTests
{
    [Fact]
    public void Fields_a_payload_leaves_out_keep_their_defaults()
    {
        var payload = JsonSerializer.Deserialize("""{"Command": "install", "StateRevision": 3}""", EngineJson.Default.ApplyPayload)!;

        Assert.Equal("install", payload.Command);
        Assert.Equal(3, payload.StateRevision);
        Assert.NotNull(payload.Definitions);
        Assert.NotNull(payload.Previous);
        Assert.NotNull(payload.Releases);
        Assert.NotNull(payload.PriorFiles);
        Assert.NotNull(payload.Folders);
        Assert.NotNull(payload.Snapshots);
        Assert.Empty(payload.Steps);
        Assert.Equal("", payload.Reason);
        Assert.Equal("", payload.ReasonFor("web")); // no per-module reasons recorded: the run's
    }

    [Fact]
    public void A_payload_round_trips()
    {
        var written = new ApplyPayload { Command = "update", Reason = "update", ModuleReasons = { ["db"] = "install" }, Folders = { ["db"] = "/m/db" } };
        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(written, EngineJson.Default.ApplyPayload), EngineJson.Default.ApplyPayload)!;

        Assert.Equal("install", read.ReasonFor("db"));
        Assert.Equal("update", read.ReasonFor("web"));
        Assert.Equal("/m/db", read.Folders["db"]);
    }
}
