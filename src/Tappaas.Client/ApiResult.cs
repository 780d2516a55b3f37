namespace Tappaas.Client;

/// <summary>An RFC 9457 problem the daemon answered with (or one the client met reaching it: status 0).</summary>
/// <param name="Status">The HTTP status; 0 when the daemon could not be reached.</param>
/// <param name="Title">What went wrong, in short.</param>
/// <param name="Detail">What went wrong and how to fix it.</param>
/// <param name="Diagnostics">The engine's diagnostics, when the problem came from a run.</param>
/// <param name="RunId">The run the problem came from, if any.</param>
public sealed record ApiProblem(int Status, string Title, string? Detail, IReadOnlyList<DiagnosticV1> Diagnostics, long? RunId)
{
    /// <summary>The title of a problem with the request itself (a malformed value).</summary>
    public const string InvalidRequest = "invalid request";

    /// <summary>The title of a problem naming a module release that cannot be found or read.</summary>
    public const string NoRelease = "no such module release";

    /// <summary>True when the request's own arguments were wrong (nothing was looked at): the CLI's usage error.</summary>
    public bool IsBadArgument => Title is InvalidRequest or NoRelease && RunId is null;

    /// <summary>One line for a terminal.</summary>
    public override string ToString() => Status == 0 ? $"{Title}: {Detail}" : $"{Title} ({Status}){(Detail is { Length: > 0 } d ? ": " + d : "")}";
}

/// <summary>A value, or the problem that prevented it.</summary>
public readonly record struct ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;

    public static implicit operator ApiResult<T>(ApiProblem problem) => new(default, problem);
}
