namespace Tappaas.Cli;

/// <summary>Stable exit codes of the CLI (upstream's 0/1/2 where they overlap).</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>plan</c>, no changes.</summary>
    public const int Ok = 0;

    /// <summary>The input has errors, or the operation failed.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong (unknown option, missing path, path that does not exist).</summary>
    public const int Usage = 2;
}
