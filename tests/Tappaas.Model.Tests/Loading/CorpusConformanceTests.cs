using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Loading;

public sealed class CorpusConformanceTests
{
    private static readonly Lazy<(Workspace Workspace, WorkspaceValidator.Result Result)> s_corpus = new(() =>
    {
        var workspace = WorkspaceLoader.Load([Corpus.Root]);
        return (workspace, WorkspaceValidator.Validate(workspace));
    });

    private static Workspace Workspace => s_corpus.Value.Workspace;

    private static IReadOnlyList<Diagnostic> Diagnostics => s_corpus.Value.Result.Diagnostics;

    private static IEnumerable<Diagnostic> In(string relative) =>
        Diagnostics.Where(d => d.Location is { } l && Path.GetFullPath(l.File) == Corpus.PathOf(relative));

    [CorpusFact]
    public void Every_json_file_parses()
    {
        var files = Corpus.JsonFiles();
        Assert.Equal(files.Count, Workspace.Files.Count);
        Assert.All(Workspace.Files, f => Assert.NotEqual(JsonFileKind.Unreadable, f.Kind));
        Assert.DoesNotContain(Diagnostics, d => d.Code is DiagnosticCodes.InvalidJson or DiagnosticCodes.EmptyFile or DiagnosticCodes.RootNotObject);
    }

    [CorpusTheory]
    [InlineData("src/apps/litellm/litellm.json", JsonFileKind.Module)]
    [InlineData("src/foundation/templates/templates.json", JsonFileKind.Module)]
    [InlineData("src/test/test-img.json", JsonFileKind.Module)]
    [InlineData("src/foundation/firewall/zones.json", JsonFileKind.Zones)]
    [InlineData("src/foundation/tappaas-cicd/opnsense-controller/src/test/zones.json", JsonFileKind.Zones)]
    [InlineData("src/module-catalog.json", JsonFileKind.Catalog)]
    [InlineData("src/foundation/module-fields.json", JsonFileKind.Schema)]
    [InlineData("src/foundation/firewall/switch-configuration-schema.json", JsonFileKind.Schema)]
    [InlineData("src/apps/deconz/services/bridge/pinhole.json", JsonFileKind.Pinhole)]
    [InlineData("src/apps/vllm-amd/vllm-amd.meta.json", JsonFileKind.LxcMeta)]
    [InlineData("src/foundation/firewall/aliases.json", JsonFileKind.Aliases)]
    [InlineData("src/foundation/firewall/services/dns/dns.json", JsonFileKind.ServiceDocument)]
    [InlineData("src/foundation/backup/services/remote/remote.json", JsonFileKind.ServiceDocument)]
    [InlineData("hooks-index.json", JsonFileKind.Other)]
    public void Files_are_told_apart(string relative, JsonFileKind expected)
    {
        var file = Assert.Single(Workspace.Files, f => f.FullPath == Corpus.PathOf(relative));
        Assert.Equal(expected, file.Kind);
    }

    [CorpusFact]
    public void Module_count_matches_the_corpus()
    {
        // SOURCES.md counts 54 module files in the whole upstream repository, ten of them in Attic/, which the corpus leaves out.
        Assert.Equal(44, Workspace.Modules.Count);
        Assert.Equal(2, Workspace.ZoneSets.Count);
    }

    [CorpusFact]
    public void DiskSize_with_unit_GB_is_reported()
    {
        var d = In("src/test/test-img.json").Single(DiagnosticCodes.PatternMismatch);
        Assert.Equal("$.diskSize", d.Location!.JsonPath);
        Assert.Equal((8, 17), (d.Location.Line, d.Location.Column));
        Assert.Contains("16GB", d.Message, StringComparison.Ordinal);
        Assert.Contains("16G", d.Hint, StringComparison.Ordinal);
    }

    [CorpusFact]
    public void Legacy_fields_of_test_img_are_warnings()
    {
        var unknown = In("src/test/test-img.json").Where(d => d.Code == DiagnosticCodes.UnknownField).ToList();
        Assert.Equal(["$.hostname", "$.vlantag"], unknown.Select(d => d.Location!.JsonPath).Order());
        Assert.All(unknown, d => Assert.Equal(Severity.Warning, d.Severity));
    }

    [CorpusFact]
    public void Templates_windows_is_not_provided()
    {
        var d = In("src/apps/windows-server/windows-server.json").Single(DiagnosticCodes.ServiceNotProvided);
        Assert.Equal("$.dependsOn[1]", d.Location!.JsonPath);
        Assert.Contains("\"templates\" does not provide \"windows\"", d.Message, StringComparison.Ordinal);
        Assert.Contains("tappaas-winserver:windows", d.Hint, StringComparison.Ordinal);
    }

    [CorpusTheory]
    [InlineData("src/apps/nextcloud/nextcloud.json")]
    [InlineData("src/apps/nextcloud-hpb/nextcloud-hpb.json")]
    [InlineData("src/apps/euro-office/euro-office.json")]
    public void Modules_in_the_inactive_srv_zone_are_reported(string relative)
    {
        var d = In(relative).Single(DiagnosticCodes.ZoneNotDeployable);
        Assert.Equal("$.zone0", d.Location!.JsonPath);
        Assert.Contains("\"srv\" is Inactive", d.Message, StringComparison.Ordinal);
    }

    [CorpusTheory]
    [InlineData(912L, "rollback-test", "test-nix-vlannode")]
    [InlineData(921L, "test-hadrift", "test-fw-a")]
    [InlineData(922L, "test-lxcdrift", "test-fw-b")]
    [InlineData(926L, "test-var-prov", "test-idfa")]
    [InlineData(927L, "test-var-cons", "test-idoidc")]
    public void Duplicate_vmids_are_reported_on_both_modules(long vmid, string a, string b)
    {
        var dups = Diagnostics.Where(d => d.Code == DiagnosticCodes.DuplicateVmid && d.Message.StartsWith($"VMID {vmid} ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, dups.Count);
        Assert.Contains(dups, d => d.Message.Contains($"\"{a}\"", StringComparison.Ordinal) && d.Message.Contains(b, StringComparison.Ordinal));
        Assert.Contains(dups, d => d.Message.Contains($"\"{b}\"", StringComparison.Ordinal) && d.Message.Contains(a, StringComparison.Ordinal));
    }

    [CorpusFact]
    public void Catalog_stack_and_dangling_paths_are_reported()
    {
        var catalog = In("src/module-catalog.json").ToList();
        var stacks = catalog.Where(d => d.Code == DiagnosticCodes.CatalogValueInvalid && d.Location!.JsonPath.EndsWith(".stack", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, stacks.Count);
        Assert.All(stacks, d => Assert.Contains("\"collaboration\"", d.Message, StringComparison.Ordinal));
        var dangling = catalog.Where(d => d.Code == DiagnosticCodes.CatalogDanglingPath).Select(d => d.Message).ToList();
        Assert.Equal(2, dangling.Count);
        Assert.Contains(dangling, m => m.Contains("src/apps/unifi/unifi.json", StringComparison.Ordinal));
        Assert.Contains(dangling, m => m.Contains("src/foundation/templates/template.json", StringComparison.Ordinal));
    }

    [CorpusFact]
    public void Hass_community_dependencies_are_warnings()
    {
        var missing = In("src/apps/hass/hass.json").Where(d => d.Code == DiagnosticCodes.ProviderMissing).ToList();
        Assert.Equal(6, missing.Count);
        Assert.All(missing, d => Assert.Equal(Severity.Warning, d.Severity));
        Assert.Equal(["alfen", "reolink", "sonos"], missing.Select(d => d.Message.Split('"')[3]).Distinct().Order());
    }

    [CorpusFact]
    public void Firewall_self_dependency_is_legal()
    {
        Assert.DoesNotContain(In("src/foundation/firewall/firewall.json"), d => d.Severity == Severity.Error);
        Assert.Empty(s_corpus.Value.Result.Graph.Cycles);
    }

    [CorpusFact]
    public void Provided_service_without_hook_scripts_is_reported()
    {
        var d = Assert.Single(Diagnostics, d => d.Code == DiagnosticCodes.ServiceHooksMissing);
        Assert.Equal(Corpus.PathOf("src/foundation/firewall/firewall.json"), Path.GetFullPath(d.Location!.File));
        Assert.Contains("provides \"firewall\"", d.Message, StringComparison.Ordinal);
    }

    [CorpusFact]
    public void Zone_table_defects_are_warnings()
    {
        var zones = In("src/foundation/firewall/zones.json").ToList();
        Assert.DoesNotContain(zones, d => d.Severity == Severity.Error);
        Assert.Contains(zones, d => d.Code == DiagnosticCodes.ZoneIpFormula && d.Location!.JsonPath == "$.dmz.ip");
        Assert.Contains(zones, d => d.Code == DiagnosticCodes.ZoneTypeUnknown && d.Location!.JsonPath == "$.test.type");
    }

    [CorpusFact]
    public void No_other_file_gets_an_error()
    {
        string[] expected =
        [
            "src/test/test-img.json", "src/apps/windows-server/windows-server.json", "src/apps/nextcloud/nextcloud.json",
            "src/apps/nextcloud-hpb/nextcloud-hpb.json", "src/apps/euro-office/euro-office.json", "src/module-catalog.json",
            // fixtures sharing VMIDs
            "src/foundation/tappaas-cicd/test-vm-creation/rollback-fixture/rollback-test.json", "src/foundation/tappaas-cicd/test-vm-creation/test-nix-vlannode.json",
            "src/foundation/cluster/test-hadrift/test-hadrift.json", "src/foundation/firewall/test-fixtures/test-fw-a.json",
            "src/foundation/cluster/test-lxcdrift/test-lxcdrift.json", "src/foundation/firewall/test-fixtures/test-fw-b.json",
            "src/foundation/firewall/test-fixtures/test-var-prov/test-var-prov.json", "src/foundation/identity/test-fixtures/test-idfa/test-idfa.json",
            "src/foundation/firewall/test-fixtures/test-var-cons.json", "src/foundation/identity/test-fixtures/test-idoidc/test-idoidc.json",
            // firewall test fixtures live in test zones that are Inactive until the deep test activates them
            "src/foundation/firewall/test-fixtures/test-fw-c/test-fw-c.json",
            // (the firewall controller's old-shape zones fixture writes bridge "LAN": lower-cased, as upstream does, no error)
        ];
        var withErrors = Diagnostics.Errors().Select(d => Path.GetRelativePath(Corpus.Root, Path.GetFullPath(d.Location!.File))).Distinct().Order().ToList();
        Assert.Equal(expected.Order(), withErrors);
    }
}
