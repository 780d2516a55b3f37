namespace Tappaas.TestUtilities;

/// <summary>Missing prerequisites fail the run under CI=true and skip only on a developer's machine.</summary>
public static class Prerequisites
{
    /// <summary>True when running in CI.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws under CI; otherwise returns the reason so the caller can skip.</summary>
    public static string Missing(string what)
    {
        if (InCi)
        {
            throw new InvalidOperationException($"prerequisite missing under CI=true: {what}");
        }

        return $"prerequisite missing (skipped outside CI): {what}";
    }

    /// <summary>True when the process runs as root.</summary>
    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";
}
