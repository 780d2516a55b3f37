using System.Diagnostics;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>Runs the real CLI (tappaas.dll next to the tests) as a separate process.</summary>
internal static class Cli
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "tappaas.dll");

    public static Task<(int Code, string Output)> RunAsync(string site, params string[] args) => RunAsync(site, null, args);

    public static Task<(int Code, string Output)> RunAsync(string site, IDictionary<string, string>? env, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, "--site", site, .. args], environment: env, timeout: TimeSpan.FromMinutes(2));

    public static Process Start(string site, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Dll, "--site", site, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }
}
