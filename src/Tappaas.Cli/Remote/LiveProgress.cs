using Spectre.Console;
using Tappaas.Client;

namespace Tappaas.Cli.Remote;

/// <summary>
/// Shows a long run's steps while it runs: on a terminal a spinner with the current step (Spectre.Console) above the
/// finished ones; otherwise one plain line per step. Progress goes to the error stream so the output stays the
/// answer alone (and <c>--json</c> stays a single document).
/// </summary>
internal static class LiveProgress
{
    public static async Task<ApiResult<T>> RunAsync<T>(
        ISiteApi client, TextWriter progress, bool quiet, string title, Func<CancellationToken, Task<ApiResult<T>>> call, CancellationToken ct)
    {
        if (quiet)
        {
            return await call(ct);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var steps = await client.OpenProgressAsync(stop.Token);
        var interactive = ReferenceEquals(progress, Console.Error) && !Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(progress),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });

        var work = call(ct);
        if (steps is null)
        {
            return await work; // an older daemon or no rights to watch: just wait
        }

        if (!interactive)
        {
            var printing = PrintAsync(steps, s => progress.WriteLine(Line(s)), stop.Token);
            var answer = await work;
            await Drain(stop, printing);
            return answer;
        }

        return await console.Status().Spinner(Spinner.Known.Dots).StartAsync(title, async context =>
        {
            var printing = PrintAsync(steps, s =>
            {
                if (s.Phase == "started")
                {
                    context.Status(Markup.Escape($"{title}: {s.Address}"));
                }
                else
                {
                    console.MarkupLine(s.Phase is "failed" or "undoing" ? $"[red]{Markup.Escape(Line(s))}[/]" : Markup.Escape(Line(s)));
                }
            }, stop.Token);
            var answer = await work;
            await Drain(stop, printing);
            return answer;
        });
    }

    /// <summary>One step as a line: <c>run 12 #3 completed guest:counter-0  detail</c>.</summary>
    public static string Line(ProgressV1 s) =>
        $"  run {s.RunId} #{s.Step,-3} {s.Phase,-9} {s.Address}{(s.Detail.Length > 0 ? "  " + s.Detail.Split('\n')[0] : "")}";

    private static async Task PrintAsync(IAsyncEnumerable<ProgressV1> steps, Action<ProgressV1> print, CancellationToken ct)
    {
        try
        {
            await foreach (var s in steps.WithCancellation(ct))
            {
                print(s);
            }
        }
        catch (OperationCanceledException)
        {
            // the run ended
        }
    }

    // The daemon journals the last step before it answers; give the stream a moment to deliver it, then stop.
    private static async Task Drain(CancellationTokenSource stop, Task printing)
    {
        stop.CancelAfter(TimeSpan.FromMilliseconds(300));
        await printing;
    }
}
