using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>axe-core run in the page itself: no serious or critical violation of its WCAG rules.</summary>
internal static class Accessibility
{
    public static async Task CheckAsync(IPage page)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{page.Url}: " + string.Join("; ", bad.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}
