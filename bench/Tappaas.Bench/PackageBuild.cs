using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Tappaas.Bench;

/// <summary>
/// The platform as its package ships it, published from this tree into <c>.build/NAME</c> (again when a source file is
/// newer than what is there): what a benchmark measures is then what users run, not the build's JIT-only output.
/// </summary>
internal static class PackageBuild
{
    /// <summary>The path of <paramref name="binary"/> in the CLI project's publish with <paramref name="properties"/> (e.g. -p:PublishAot=true).</summary>
    public static async Task<string> PublishAsync(string name, string binary, string why, params string[] properties)
    {
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "TAPPaaS.slnx")))
        {
            repo = Path.GetDirectoryName(repo.TrimEnd('/')) ?? throw new InvalidOperationException($"not inside the TAPPaaS tree; name the {binary} to measure with an option");
        }

        var output = Path.Combine(repo, ".build", name);
        var path = Path.Combine(output, binary);
        var newest = Directory.EnumerateFiles(Path.Combine(repo, "src"), "*.cs*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);
        if (File.Exists(path) && File.GetLastWriteTimeUtc(path) > newest)
        {
            return path;
        }

        Console.WriteLine($"publishing {why} into {output} (once, until a source changes)");
        var rid = "linux-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64");
        using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(repo, "src", "Tappaas.Cli", "Tappaas.Cli.csproj"),
            "-c", "Release", "-r", rid, .. properties, "-nologo", "-v", "quiet", "-o", output]))!;
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"dotnet publish {string.Join(' ', properties)} failed ({publish.ExitCode.ToString(CultureInfo.InvariantCulture)})");
        }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow); // publish keeps the build's time stamps
        return path;
    }
}
