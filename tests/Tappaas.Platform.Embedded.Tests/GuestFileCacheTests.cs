using System.Diagnostics;
using System.Text.Json;
using Tappaas.IO;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// The daemon's in-memory view of the guests' files: every change made before a read is in that read (atomic renames,
/// plain rewrites of the same length, markers, folders made and removed), and a supervisor that dies is seen at the next
/// read without any file changing. Real files, real inotify, real processes.
/// </summary>
public sealed class GuestFileCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly GuestRuntime _runtime;
    private readonly List<Process> _processes = [];

    public GuestFileCacheTests()
    {
        _runtime = new GuestRuntime(_dir.Path);
        Directory.CreateDirectory(_runtime.GuestsDir);
    }

    [Fact]
    public void Each_read_sees_every_change_made_before_it()
    {
        using var cache = new GuestFileCache(_runtime);
        Assert.Empty(cache.Read());

        Write("web-0", "web", new GuestState { Status = "starting" });
        Write("web-1", "web", null);
        var first = cache.Read();
        Assert.Equal(["web-0", "web-1"], first.Select(g => g.Guest));
        Assert.Equal("starting", first[0].State!.Status);
        Assert.Null(first[1].State);

        // The same length, rewritten in place (no rename), then through a rename: both seen.
        File.WriteAllText(StateFile("web-0"), JsonSerializer.Serialize(new GuestState { Status = "stopped" }, GuestJson.Default.GuestState));
        Assert.Equal("stopped", cache.Read()[0].State!.Status);
        AtomicFile.Write(StateFile("web-0"), JsonSerializer.Serialize(new GuestState { Status = "running", Ready = true }, GuestJson.Default.GuestState));
        Assert.Equal(("running", true), (cache.Read()[0].State!.Status, cache.Read()[0].State!.Ready));

        _runtime.Drain("web-1");
        Assert.True(cache.Read()[1].Draining);
        File.Delete(Path.Combine(_runtime.GuestDir("web-1"), "draining"));
        Assert.False(cache.Read()[1].Draining);

        // A folder without a spec yet is no guest; its spec makes it one; a removed folder is gone.
        Directory.CreateDirectory(_runtime.GuestDir("api-0"));
        Assert.Equal(2, cache.Read().Count);
        Write("api-0", "api", null);
        Assert.Equal(["api-0", "web-0", "web-1"], cache.Read().Select(g => g.Guest));
        Directory.Delete(_runtime.GuestDir("web-1"), recursive: true);
        Assert.Equal(["api-0", "web-0"], cache.Read().Select(g => g.Guest));

        // What is neither spec, state nor marker (logs) changes nothing it reports.
        File.AppendAllText(Path.Combine(_runtime.GuestDir("api-0"), "shim.log"), "a line\n");
        Assert.Equal(Uncached(), Describe(cache.Read()));
    }

    [Fact]
    public void A_supervisor_that_dies_is_seen_without_a_file_changing()
    {
        using var cache = new GuestFileCache(_runtime);
        var supervisor = Start("tappaas-shim");
        var impostor = Start("something-else");
        Write("a-0", "a", new GuestState { Status = "running", ShimPid = supervisor.Id });
        Write("b-0", "b", new GuestState { Status = "running", ShimPid = impostor.Id });
        Write("c-0", "c", new GuestState { Status = "running", ShimPid = 0 });
        Assert.Equal([true, false, false], cache.Read().Select(g => g.Supervised));

        supervisor.Kill();
        supervisor.WaitForExit();
        Assert.Equal([false, false, false], cache.Read().Select(g => g.Supervised));

        // A new supervisor writes its state: it is the one asked from then on.
        var next = Start("tappaas-shim");
        AtomicFile.Write(StateFile("a-0"), JsonSerializer.Serialize(new GuestState { Status = "running", ShimPid = next.Id }, GuestJson.Default.GuestState));
        Assert.True(cache.Read()[0].Supervised);
        Assert.Equal(Uncached(), Describe(cache.Read()));
    }

    [Fact]
    public void A_guests_folder_made_after_the_first_read_or_made_again_is_followed()
    {
        Directory.Delete(_runtime.GuestsDir);
        using var cache = new GuestFileCache(_runtime);
        Assert.Empty(cache.Read());
        Write("x-0", "x", null);
        Assert.Single(cache.Read());

        Directory.Delete(_runtime.GuestsDir, recursive: true);
        Assert.Empty(cache.Read());
        Write("y-0", "y", new GuestState { Status = "failed" });
        Assert.Equal(["y-0"], cache.Read().Select(g => g.Guest));
        Assert.Equal("failed", cache.Read()[0].State!.Status);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }

        _dir.Dispose();
    }

    private string StateFile(string guest) => Path.Combine(_runtime.GuestDir(guest), "state.json");

    private void Write(string guest, string module, GuestState? state)
    {
        Directory.CreateDirectory(_runtime.GuestDir(guest));
        AtomicFile.Write(Path.Combine(_runtime.GuestDir(guest), "spec.json"), JsonSerializer.Serialize(
            new GuestSpecFile { Guest = guest, Module = module, Command = "/bin/true", WorkingDir = "/", Isolation = "none", Address = "127.0.0.1" }, GuestJson.Default.GuestSpecFile));
        if (state is not null)
        {
            AtomicFile.Write(StateFile(guest), JsonSerializer.Serialize(state, GuestJson.Default.GuestState));
        }
    }

    // A process whose command line names (or does not name) the supervisor.
    private Process Start(string name)
    {
        var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import time; time.sleep(60)", name]))!;
        _processes.Add(process);
        return process;
    }

    // What reading every file again says, in the same words.
    private List<string> Uncached() =>
        [.. _runtime.All().Select(g => $"{g.Guest} {g.Spec.Module} {_runtime.State(g.Guest)?.Status} {_runtime.Draining(g.Guest)} {_runtime.SupervisorAlive(g.Guest)}")];

    private static List<string> Describe(IReadOnlyList<ObservedGuest> guests) =>
        [.. guests.Select(g => $"{g.Guest} {g.Spec.Module} {g.State?.Status} {g.Draining} {g.Supervised}")];
}
