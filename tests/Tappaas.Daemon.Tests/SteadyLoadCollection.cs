namespace Tappaas.Daemon.Tests;

/// <summary>
/// The tests that judge a site by failed requests under a steady load (hundreds a second through the proxy, on guests
/// whose workloads need the CPU too) run one after another: on a 2-core machine two of them at once starve each
/// other's guests, and a timed-out connect is then the machine's, not the platform's.
/// </summary>
[CollectionDefinition(nameof(SteadyLoadCollection))]
public sealed class SteadyLoadCollection;
