namespace Tappaas.Engine.Apply;

/// <summary>
/// A provider's progress lines, journalled in the order they came without holding the thread that reported them (a
/// pull's progress comes from its reader): each write waits for the one before it, and a step's outcome is journalled
/// only after its progress (<see cref="FlushAsync"/>).
/// </summary>
internal sealed class ProgressLines(Func<ApplyStep, string, Task> write)
{
    private readonly Lock _gate = new();
    private Task _last = Task.CompletedTask;

    public void Add(ApplyStep step, string detail)
    {
        lock (_gate)
        {
            _last = NextAsync(_last, step, detail);
        }
    }

    /// <summary>Waits until every line added so far is written (and fails as the first failed write did).</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _last;
        }
    }

    private async Task NextAsync(Task before, ApplyStep step, string detail)
    {
        await before;
        await write(step, detail);
    }
}
