using System.Globalization;
using System.Text.Json;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;

namespace Tappaas.Bench;

/// <summary>
/// Validate and order N generated modules (default 1,000). The baseline, measured in the same run on the same
/// files, is reading every file and parsing it with System.Text.Json's JsonDocument, i.e. the least any tool must do.
/// </summary>
internal static class ModelBenchmark
{
    public static int Run(string[] args)
    {
        var count = args.Length >= 2 && args[0] == "--modules" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var root = Path.Combine(Path.GetTempPath(), "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            ModuleSetGenerator.Write(root, count);
            var files = Directory.GetFiles(root, "*.json", SearchOption.AllDirectories);

            var baseline = Stats.Measure(7, () =>
            {
                foreach (var f in files)
                {
                    using var doc = JsonDocument.Parse(File.ReadAllBytes(f));
                }
            });

            int modules = 0, errors = 0, ordered = 0;
            var ours = Stats.Measure(7, () =>
            {
                var workspace = WorkspaceLoader.Load([root]);
                var result = WorkspaceValidator.Validate(workspace);
                modules = workspace.Modules.Count;
                errors = result.Diagnostics.Count(d => d.Severity == Severity.Error);
                ordered = result.Graph.InstallOrder().Count;
            });

            if (errors > 0 || ordered != modules)
            {
                Console.Error.WriteLine($"benchmark input is wrong: {errors} errors, {ordered}/{modules} ordered");
                return 1;
            }

            var perSecond = modules / (ours.MedianMs / 1000.0);
            Console.WriteLine($"validate+order {modules} modules ({files.Length} files), median of 7 runs on {Environment.ProcessorCount} cores");
            Console.WriteLine($"  baseline (read + JsonDocument.Parse): {baseline.MedianMs,8:0.0} ms");
            Console.WriteLine($"  tappaas validate + order:            {ours.MedianMs,8:0.0} ms   (first, cold: {ours.FirstMs:0.0} ms)");
            Console.WriteLine($"  ratio tappaas / baseline:            {ours.MedianMs / baseline.MedianMs,8:0.00}x");
            Console.WriteLine($"  modules per second:                  {perSecond,8:0}");
            var pass = ours.MedianMs < 1000 && ours.FirstMs < 1000;
            Console.WriteLine($"  target < 1000 ms (warm and cold):    {(pass ? "met" : "MISSED")}");
            return pass ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
