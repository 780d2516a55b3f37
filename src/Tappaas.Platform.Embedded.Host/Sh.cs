using System.Diagnostics;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>Runs host tools (ip, mount) and reports failures with their output.</summary>
internal static class Sh
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        if (input is not null)
        {
            await p.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            p.StandardInput.Close();
        }

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
