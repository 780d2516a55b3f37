using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tappaas.Daemon;

/// <summary>
/// OpenTelemetry for the daemon: its meter (<see cref="Api.DaemonMetrics"/>) served at <c>/metrics</c> in Prometheus'
/// format, and — when a collector is configured the standard way (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, e.g. a user's
/// Grafana Alloy, Tempo/Loki behind a collector, or the Aspire dashboard) — the same metrics, traces of runs and their
/// steps (<see cref="RunSource"/>) and of proxied requests (<see cref="ProxySource"/>), and the logs, over OTLP.
/// </summary>
internal static class Telemetry
{
    /// <summary>The engine's runs and steps (one activity per run, one per step).</summary>
    public const string RunSource = Engine.Apply.RunTelemetry.SourceName;

    /// <summary>The reverse proxy's requests (recorded only while a listener is attached).</summary>
    public const string ProxySource = Proxy.GuestForwarder.SourceName;

    /// <summary>True when an OTLP collector is configured for this process.</summary>
    public static bool OtlpConfigured =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));

    public static void Add(WebApplicationBuilder builder)
    {
        var otlp = OtlpConfigured;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("tappaasd", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddMeter(Api.DaemonMetrics.MeterName).AddPrometheusExporter(o =>
                {
                    o.DisableTotalNameSuffixForCounters = false;
                    o.ScopeInfoEnabled = false; // the names stay as they were: tappaas_guest_up{guest="…",module="…"}
                    o.ScrapeResponseCacheDurationMilliseconds = 0; // DaemonMetrics caches its reads itself
                });
                if (otlp)
                {
                    m.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t.AddSource(RunSource, ProxySource).AddOtlpExporter());
            builder.Logging.AddOpenTelemetry(l => l.AddOtlpExporter());
        }
    }
}
