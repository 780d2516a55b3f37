using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Modules;

public sealed class RoundTripTests
{
    public static TheoryData<string> ModuleFiles()
    {
        var data = new TheoryData<string>();
        if (!Corpus.Present)
        {
            return data; // the theories are skipped (outside CI) without the corpus
        }

        foreach (var f in WorkspaceLoader.Load([Corpus.Root]).Files.Where(f => f.Kind == JsonFileKind.Module))
        {
            data.Add(Path.GetRelativePath(Corpus.Root, f.FullPath));
        }

        return data;
    }

    private static ModuleDefinition Load(string relative)
    {
        var full = Corpus.PathOf(relative);
        var parsed = JsonSource.ParseFile(full, relative);
        return new ModuleDefinition(WorkspaceLoader.ModuleName(full), relative, (JObject)parsed.Root!);
    }

    private static ModuleDefinition Reload(string text, string name)
    {
        var parsed = JsonSource.Parse(name + ".json", System.Text.Encoding.UTF8.GetBytes(text));
        return new ModuleDefinition(name, name + ".json", (JObject)parsed.Root!);
    }

    [CorpusTheory]
    [MemberData(nameof(ModuleFiles))]
    public void Saving_changes_nothing_but_layout(string relative)
    {
        var original = Load(relative);
        var saved = JsonText.Write(original.ToCanonical());
        var reloaded = Reload(saved, original.Name);

        Assert.True(JObject.SemanticEquals(original.ToFlat(), reloaded.ToFlat()), $"flat forms differ after saving {relative}:\n{saved}");
        Assert.Equal(saved, JsonText.Write(reloaded.ToCanonical()));
        Assert.Empty(reloaded.Conflicts);
    }

    [CorpusTheory]
    [MemberData(nameof(ModuleFiles))]
    public void Flat_and_grouped_forms_convert_both_ways(string relative)
    {
        var original = Load(relative);
        var flat = Reload(JsonText.Write(original.ToFlat()), original.Name);
        Assert.Equal(ModuleShape.Flat, flat.Shape);
        Assert.Equal(JsonText.Write(original.ToCanonical()), JsonText.Write(flat.ToCanonical()));
    }

    [CorpusTheory]
    [InlineData("src/apps/litellm/litellm.json")]
    [InlineData("src/apps/windows-server/windows-server.json")]
    [InlineData("src/apps/openwebui/openwebui.json")]
    public void Canonical_upstream_files_are_already_canonical(string relative)
    {
        var original = Load(relative);
        Assert.True(original.Root.DeepEquals(original.ToCanonical()), JsonText.Write(original.ToCanonical()));
    }

    [Fact]
    public void Flat_file_is_regrouped_by_first_matching_dependency()
    {
        var m = Support.Module("""
            {"vmname": "x", "vmid": 200, "cores": 2, "proxyPort": 8080, "ports": [], "connector": "talk",
             "zone0": "srvHome", "-comment1": "kept", "dependsOn": ["cluster:lxc", "cluster:vm", "firewall:proxy"], "identity": {}}
            """);
        var canonical = m.ToCanonical();
        Assert.Equal(["vmname", "vmid", "zone0", "ports", "dependsOn", "connector", "-comment1", "identity", "config"], canonical.Properties.Select(p => p.Name));
        var config = (JObject)canonical["config"]!;
        Assert.Equal(["cluster:lxc", "firewall:proxy"], config.Properties.Select(p => p.Name));
        Assert.Equal(["cores"], ((JObject)config["cluster:lxc"]!).Properties.Select(p => p.Name));
        Assert.Equal(["proxyPort"], ((JObject)config["firewall:proxy"]!).Properties.Select(p => p.Name));
    }

    [CorpusFact]
    public void Service_fields_written_at_the_top_move_into_their_block()
    {
        // nextcloud.json keeps egress at the top although it depends on firewall:rules; the canonical form moves it.
        var original = Load("src/apps/nextcloud/nextcloud.json");
        var canonical = original.ToCanonical();
        Assert.False(canonical.Has("egress"));
        Assert.NotNull(((JObject)((JObject)canonical["config"]!)["firewall:rules"]!)["egress"]);
    }

    [Fact]
    public void Numbers_and_strings_keep_their_written_form()
    {
        var m = Support.Module("""{"vmid": 310, "memory": "4096", "cores": 1.0e0, "cloudInit": false, "dependsOn": ["cluster:vm"]}""");
        var text = JsonText.Write(m.ToCanonical());
        Assert.Contains("\"memory\": \"4096\"", text, StringComparison.Ordinal);
        Assert.Contains("\"cores\": 1.0e0", text, StringComparison.Ordinal);
        Assert.Contains("\"cloudInit\": false", text, StringComparison.Ordinal);
    }
}
