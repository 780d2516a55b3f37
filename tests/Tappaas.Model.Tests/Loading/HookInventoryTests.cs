using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Loading;

public sealed class HookInventoryTests
{
    [Fact]
    public void Scripts_on_disk_satisfy_provided_services()
    {
        using var dir = new TempDir();
        dir.Write("web/web.json", """{"description": "w", "version": "1.0", "provides": ["api", "admin"]}""");
        dir.Write("web/install.sh", "#!/bin/sh\n");
        dir.Write("web/services/api/install-service.sh", "#!/bin/sh\n");
        dir.Write("web/services/api/update-service.sh", "#!/bin/sh\n");
        dir.Write("web/services/admin/install-service.sh", "#!/bin/sh\n");
        var diagnostics = WorkspaceValidator.Validate(WorkspaceLoader.Load([dir.Path])).Diagnostics;
        var d = Assert.Single(diagnostics, x => x.Code == DiagnosticCodes.ServiceHooksMissing);
        Assert.Contains("services/admin/update-service.sh", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_with_only_json_are_not_flagged()
    {
        using var dir = new TempDir();
        dir.Write("web/web.json", """{"description": "w", "version": "1.0", "provides": ["api"]}""");
        Assert.DoesNotContain(WorkspaceValidator.Validate(WorkspaceLoader.Load([dir.Path])).Diagnostics, x => x.Code == DiagnosticCodes.ServiceHooksMissing);
    }
}
