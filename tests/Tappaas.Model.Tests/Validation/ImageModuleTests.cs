using Tappaas.Model.Diagnostics;
using Tappaas.Model.Images;
using Tappaas.Model.Resolved;

namespace Tappaas.Model.Tests.Validation;

/// <summary>Modules that run an OCI image: the reference as Docker resolves it, and what the validator says of bad ones.</summary>
public sealed class ImageModuleTests
{
    [Theory]
    [InlineData("nginx", "docker.io/library/nginx:latest")]
    [InlineData("nginx:1.27", "docker.io/library/nginx:1.27")]
    [InlineData("vaultwarden/server:1.32.0", "docker.io/vaultwarden/server:1.32.0")]
    [InlineData("index.docker.io/library/redis:7", "docker.io/library/redis:7")]
    [InlineData("ghcr.io/owner/app", "ghcr.io/owner/app:latest")]
    [InlineData("127.0.0.1:5000/web:1", "127.0.0.1:5000/web:1")]
    [InlineData("localhost/web", "localhost/web:latest")]
    [InlineData("quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void References_are_normalised_as_docker_resolves_them(string written, string canonical) =>
        Assert.Equal(canonical, ImageReference.TryParse(written, out _)!.Canonical);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Nginx", "not a repository name")]
    [InlineData("nginx:-bad", "not a tag")]
    [InlineData("nginx@sha256:abc", "not a digest")]
    [InlineData("registry.example.org/", "not a repository name")]
    public void Bad_references_say_what_is_wrong(string written, string problem)
    {
        Assert.Null(ImageReference.TryParse(written, out var said));
        Assert.Contains(problem, said, StringComparison.Ordinal);
    }

    private const string Header = """{"vmid": 400, "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {""";

    [Fact]
    public void An_image_module_may_leave_the_command_to_its_image_and_resolves_its_reference()
    {
        var json = Header + """ "imageType": "oci", "image": "vaultwarden/server:1.32.0", "workload": {"volumes": ["/data"], "user": "1000:1000", "ports": {"http": 80}}}}}""";
        Assert.Empty(Support.Validate(json).Errors());
        var resolved = ModuleResolver.Resolve(Support.Module(json), Site.SiteSnapshot.Empty);
        Assert.Equal("docker.io/vaultwarden/server:1.32.0", resolved.Image!.Canonical);
        Assert.Null(resolved.Workload!.Command);
        Assert.Equal(["/data"], resolved.Workload.Volumes);
        Assert.Equal("1000:1000", resolved.Workload.User);
    }

    [Fact]
    public void A_bad_reference_a_missing_command_and_a_relative_volume_are_errors_at_their_json_paths()
    {
        var bad = Support.Validate(Header + """ "imageType": "oci", "image": "Bad Name", "workload": {}}}}""").Errors().Single(DiagnosticCodes.ImageReferenceInvalid);
        Assert.Equal("$.config[\"cluster:vm\"].image", bad.Location?.JsonPath);
        Assert.Contains("is not an OCI image reference", bad.Message, StringComparison.Ordinal);

        var noCommand = Assert.Single(Support.Validate(Header + """ "image": "x", "workload": {"args": ["a"]}}}}""").Errors());
        Assert.Contains("workload.command must be the program to run", noCommand.Message, StringComparison.Ordinal);
        Assert.Contains("imageType \"oci\"", noCommand.Hint, StringComparison.Ordinal);

        var volume = Assert.Single(Support.Validate(Header + """ "imageType": "oci", "image": "nginx", "workload": {"volumes": ["data"]}}}}""").Errors());
        Assert.Equal("$.config[\"cluster:vm\"].workload.volumes[0]", volume.Location?.JsonPath);
    }
}
