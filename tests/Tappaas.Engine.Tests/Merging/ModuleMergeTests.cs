using Tappaas.Engine.Merging;
using Tappaas.Model.Json;

namespace Tappaas.Engine.Tests.Merging;

public sealed class ModuleMergeTests
{
    private static (string Merged, ModuleMerge.Result Result) Merge(string current, string? orig, string source)
    {
        var result = ModuleMerge.Merge(Modules.Obj(current), orig is null ? null : Modules.Obj(orig), Modules.Obj(source));
        return (JsonText.Write(result.Merged).Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), result);
    }

    [Fact]
    public void No_op()
    {
        var (merged, result) = Merge("""{"cores": 2}""", """{"cores": 2}""", """{"cores": 2}""");
        Assert.Equal("""{"cores":2}""", merged);
        Assert.Empty(result.Leaves);
    }

    [Fact]
    public void Release_update_is_adopted_when_the_operator_did_not_change_it()
    {
        var (merged, result) = Merge("""{"cores": 2}""", """{"cores": 2}""", """{"cores": 4}""");
        Assert.Equal("""{"cores":4}""", merged);
        Assert.Equal(1, result.Count(MergeOutcome.Adopted));
    }

    [Fact]
    public void Operator_change_stays_pinned_and_is_a_conflict_when_the_release_changed_it_too()
    {
        var (merged, result) = Merge("""{"cores": 8}""", """{"cores": 2}""", """{"cores": 4}""");
        Assert.Equal("""{"cores":8}""", merged);
        Assert.Equal([("$.cores", MergeOutcome.Conflict)], result.Leaves);

        var (kept, quiet) = Merge("""{"cores": 8}""", """{"cores": 2}""", """{"cores": 2}""");
        Assert.Equal("""{"cores":8}""", kept);
        Assert.Equal([("$.cores", MergeOutcome.Pinned)], quiet.Leaves);
    }

    [Fact]
    public void Split_object_adopts_and_pins_per_leaf()
    {
        var (merged, _) = Merge("""{"identity": {"a": 1, "b": 9}}""", """{"identity": {"a": 1, "b": 2}}""", """{"identity": {"a": 5, "b": 3}}""");
        Assert.Equal("""{"identity":{"a":5,"b":9}}""", merged);
    }

    [Fact]
    public void New_release_field_is_added_and_operator_field_kept()
    {
        var (merged, result) = Merge("""{"cores": 2, "mine": "x"}""", """{"cores": 2}""", """{"cores": 2, "proxyPort": 80}""");
        Assert.Equal("""{"cores":2,"mine":"x","proxyPort":80}""", merged);
        Assert.Equal(1, result.Count(MergeOutcome.Added));
        Assert.Equal(1, result.Count(MergeOutcome.Kept));
    }

    [Fact]
    public void Arrays_compare_whole()
    {
        Assert.Equal("""{"z":["home"]}""", Merge("""{"z": ["home"]}""", """{"z": ["home", "work"]}""", """{"z": ["mgmt"]}""").Merged);
        Assert.Equal("""{"z":["mgmt"]}""", Merge("""{"z": ["home", "work"]}""", """{"z": ["home", "work"]}""", """{"z": ["mgmt"]}""").Merged);
    }

    [Fact]
    public void Stamped_fields_are_never_adopted()
    {
        var (merged, _) = Merge(
            """{"installTime": "20260101-10:00:00", "location": "/a", "variant": "v", "releaseDate": "2026-01-01"}""",
            """{"releaseDate": "2026-01-01"}""",
            """{"installTime": "x", "location": "/b", "releaseDate": "2026-06-01", "updateTime": "y"}""");
        Assert.Equal("""{"installTime":"20260101-10:00:00","location":"/a","variant":"v","releaseDate":"2026-01-01"}""", merged);
    }
}
