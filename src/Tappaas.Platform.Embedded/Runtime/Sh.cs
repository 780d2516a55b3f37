using System.Diagnostics;

namespace Tappaas.Platform.Embedded.Runtime;

/// <summary>Runs host tools (ip, mount) and reports failures with their output.</summary>
internal static class Sh
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        return (p.ExitCode, (await output + await error).Trim());
    }

    public static async Task MustAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var list = args.ToList();
        var (code, output) = await RunAsync(file, list, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', list)} failed ({code}): {output}");
        }
    }
}
