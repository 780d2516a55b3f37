using System.CommandLine;
using System.Globalization;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas images</c> and <c>tappaas images prune</c>: the site's image store.</summary>
internal static class ImageCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var prune = new Command("prune", "Remove the images no revision within the site's snapshotRetention and no guest uses.") { CommonOptions.Json };
        prune.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.PruneImagesAsync(token);
            if (answer.Value is not { } removed)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintRecord(output, removed);
                return ExitCodes.Ok;
            }

            foreach (var digest in removed)
            {
                output.WriteLine($"removed {digest}");
            }

            output.WriteLine(removed.Count == 0 ? "nothing to remove: every image is used" : $"{removed.Count} image(s) removed");
            return ExitCodes.Ok;
        }, ct));

        var command = new Command("images", "List the images in the site's store: size and the revisions that use them.") { prune, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.ImagesAsync(token);
            if (answer.Value is not { } images)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintRecord(output, images);
                return ExitCodes.Ok;
            }

            foreach (var i in images)
            {
                var used = i.UsedBy.Count == 0 ? "unused (tappaas images prune removes it)" : "used by " + string.Join(", ", i.UsedBy);
                output.WriteLine($"{string.Join(", ", i.References.DefaultIfEmpty("(no revision)"))}@{i.Digest[..19]}…  {Size(i.Bytes)}  {used}");
            }

            if (images.Count == 0)
            {
                output.WriteLine("no images in the store");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static string Size(long bytes) => bytes >= 1 << 20
        ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
}
