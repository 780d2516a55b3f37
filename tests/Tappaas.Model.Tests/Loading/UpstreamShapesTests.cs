using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Loading;

/// <summary>
/// What upstream's repositories and files really hold, written here in their shapes: an Attic/ of old module copies,
/// two files with one module name, port ranges written a-b, the older catalog name modules.json, numbers out of any
/// range and list items counted as their paths count them.
/// </summary>
public sealed class UpstreamShapesTests
{
    private const string Backup = """{"description": "backups", "version": "1.0", "provides": ["vm"]}""";

    [Fact]
    public void An_attic_copy_is_not_a_module_and_gives_its_namesake_s_consumers_no_false_errors()
    {
        using var dir = new TempDir();
        dir.Write("src/foundation/backup/backup.json", Backup);
        dir.Write("Attic/backup/backup.json", """{"description": "the old backup module", "version": "0.1", "provides": ["files"]}""");
        dir.Write("src/apps/shop/shop.json", """{"description": "shop", "version": "1.0", "vmid": 300, "dependsOn": ["backup:vm"]}""");

        var workspace = WorkspaceLoader.Load([dir.Path]);
        Assert.Equal(["backup", "shop"], workspace.Modules.Select(m => m.Name).Order(StringComparer.Ordinal));
        var diagnostics = WorkspaceValidator.Validate(workspace).Diagnostics;
        Assert.DoesNotContain(diagnostics, d => d.Code is DiagnosticCodes.ServiceNotProvided or DiagnosticCodes.DuplicateModuleName);
    }

    [Fact]
    public void Two_files_with_one_name_get_one_warning_naming_both_and_the_one_used()
    {
        using var dir = new TempDir();
        dir.Write("a/copy-of-backup/backup.json", """{"description": "a stray copy", "version": "0.1", "provides": ["files"]}""");
        dir.Write("b/backup/backup.json", Backup);
        dir.Write("c/shop/shop.json", """{"description": "shop", "version": "1.0", "vmid": 300, "dependsOn": ["backup:vm"]}""");

        var workspace = WorkspaceLoader.Load([dir.Path]);
        var diagnostics = WorkspaceValidator.Validate(workspace).Diagnostics;
        var d = Assert.Single(diagnostics, x => x.Code == DiagnosticCodes.DuplicateModuleName);
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Contains("copy-of-backup/backup.json", d.Message, StringComparison.Ordinal);
        Assert.Contains("b/backup/backup.json is used", d.Message, StringComparison.Ordinal); // its folder is named after the module
        Assert.Equal("1.0", Assert.Single(workspace.Modules, m => m.Name == "backup").Text("version"));
        Assert.DoesNotContain(diagnostics, x => x.Code == DiagnosticCodes.ServiceNotProvided); // shop finds backup:vm
    }

    [Theory]
    [InlineData("\"7000-7100\"", true)]
    [InlineData("\"7000:7100\"", true)]
    [InlineData("7000", true)]
    [InlineData("\"7100-7000\"", false)]
    [InlineData("\"7000-70000\"", false)]
    public void Port_ranges_are_written_with_a_colon_or_a_dash_as_upstream_s_rules_manager_writes_them(string port, bool valid)
    {
        var bag = Support.Validate("""
            {"vmid": 300, "image": "x", "dependsOn": ["cluster:vm", "firewall:rules"],
             "ports": [{"port": @P, "protocol": "UDP", "description": "media"}],
             "ingress": [{"from": "home", "ports": [@P], "description": "media from home"}]}
            """.Replace("@P", port, StringComparison.Ordinal));
        Assert.Equal(valid ? 0 : 2, bag.Errors().Count(d => d.Code == DiagnosticCodes.InvalidItem));
    }

    [Fact]
    public void The_older_catalog_name_modules_json_is_read_with_warnings_only()
    {
        using var dir = new TempDir();
        dir.Write("src/apps/alfen/alfen.json", """{"description": "wallbox", "version": "1.0", "dependsOn": ["firewall:rules"]}""");
        dir.Write("src/modules.json", """
            {"foundationModules": [],
             "applicationModules": [{"moduleName": "alfen", "vmid": 0, "moduleJson": "src/apps/alfen/alfen.json"},
                                    {"moduleName": "gone", "vmid": 820, "moduleJson": "src/apps/gone/gone.json", "owner": "someone"}]}
            """);

        var workspace = WorkspaceLoader.Load([dir.Path]);
        Assert.Equal(JsonFileKind.LegacyCatalog, Assert.Single(workspace.Files, f => f.DisplayPath.EndsWith("modules.json", StringComparison.Ordinal)).Kind);
        var diagnostics = WorkspaceValidator.Validate(workspace).Diagnostics.Where(d => d.Location?.File.EndsWith("modules.json", StringComparison.Ordinal) == true).ToList();
        Assert.Empty(diagnostics.Errors());
        Assert.Contains(diagnostics, d => d.Code == DiagnosticCodes.Deprecated && d.Message.Contains("older name", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Code == DiagnosticCodes.CatalogFieldMissing); // stack, category, status: advice here
        Assert.Contains(diagnostics, d => d.Code == DiagnosticCodes.CatalogDanglingPath);
        Assert.Equal(["alfen", "gone"], workspace.Catalogs.Single().Entries.Select(e => e.ModuleName));
    }

    [Fact]
    public void A_list_item_is_named_by_its_path_and_a_number_too_large_for_any_field_is_out_of_range()
    {
        var bag = Support.Validate("""{"vmid": 99999999999999999999, "image": "x", "dependsOn": ["cluster:vm", null]}""");
        var item = bag.Single(DiagnosticCodes.InvalidItem);
        Assert.Equal("$.dependsOn[1]", item.Location!.JsonPath);
        Assert.StartsWith("dependsOn[1] is null", item.Message, StringComparison.Ordinal);
        var vmid = bag.Single(DiagnosticCodes.AboveMaximum);
        Assert.Equal("vmid is 99999999999999999999, out of range (the maximum is 999999)", vmid.Message);
        Assert.DoesNotContain(bag, d => d.Code == DiagnosticCodes.WrongType);
    }
}
