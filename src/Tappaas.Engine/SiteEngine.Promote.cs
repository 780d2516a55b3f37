using Tappaas.Engine.Apply;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Promotes an update's canaries: the installed definition is applied again with every old guest replaced (a
    /// journalled run; the definition does not change). Without canaries running it changes nothing on the guests.
    /// </summary>
    public Task<ApplyOutcome> PromoteAsync(string module, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("promote", options.Flags with { Promote = true }, async () =>
        {
            if (await Installed(module, cancellationToken) is not { } record)
            {
                return (null, NotInstalled(module));
            }

            var location = Parse(module, record.Definition).Text("location") ?? Layout.ConfigDir;
            return await ConvergeAsync("promote", module, record, record.Definition, null, location, "promote the canary",
                options with { NoSnapshot = true }, cancellationToken);
        }, cancellationToken);
}
