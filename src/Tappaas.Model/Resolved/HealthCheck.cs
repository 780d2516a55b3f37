using Tappaas.Model.Json;

namespace Tappaas.Model.Resolved;

/// <summary>One health check: exactly one of http, tcp or exec, with timing and thresholds.</summary>
public sealed record HealthCheck
{
    /// <summary>http, tcp or exec.</summary>
    public required string Kind { get; init; }

    /// <summary>Port name (http, tcp).</summary>
    public string? Port { get; init; }

    /// <summary>Path (http).</summary>
    public string Path { get; init; } = "/";

    /// <summary>Command and arguments (exec).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int FailureThreshold { get; init; } = 3;

    public int SuccessThreshold { get; init; } = 1;

    public TimeSpan StartGrace { get; init; } = TimeSpan.Zero;

    public static HealthCheck? From(JObject? o)
    {
        if (o is null)
        {
            return null;
        }

        var (kind, body) = o["http"] is JObject h ? ("http", h) : o["tcp"] is JObject t ? ("tcp", t) : o["exec"] is JObject e ? ("exec", e) : ("", (JObject?)null);
        if (body is null)
        {
            return null;
        }

        return new HealthCheck
        {
            Kind = kind,
            Port = Lenient.Text(body["port"]),
            Path = Lenient.Text(body["path"]) ?? "/",
            Command = Lenient.Strings(body["command"]),
            Interval = Durations.Parse(Lenient.Text(o["interval"]), TimeSpan.FromSeconds(2)),
            Timeout = Durations.Parse(Lenient.Text(o["timeout"]), TimeSpan.FromSeconds(1)),
            FailureThreshold = (int)(Lenient.Integer(o["failureThreshold"]) ?? 3),
            SuccessThreshold = (int)(Lenient.Integer(o["successThreshold"]) ?? 1),
            StartGrace = Durations.Parse(Lenient.Text(o["startGrace"]), TimeSpan.Zero),
        };
    }
}
