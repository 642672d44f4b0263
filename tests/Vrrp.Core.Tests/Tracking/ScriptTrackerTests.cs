using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

[SupportedOSPlatform("linux")]
public sealed class ScriptTrackerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ProcessReaper _reaper = new();

    public void Dispose()
    {
        _reaper.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task TrueSucceedsAndFalseFails()
    {
        using ScriptTracker ok = new(new ScriptTrackerOptions { Name = "t", Arguments = ["/bin/true"] });
        using ScriptTracker ko = new(new ScriptTrackerOptions { Name = "f", Arguments = ["/bin/false"] });
        TrackerResult good = await ok.CheckAsync(CancellationToken.None);
        TrackerResult bad = await ko.CheckAsync(CancellationToken.None);
        Assert.True(good.Success);
        Assert.Equal(0, good.Value);
        Assert.False(bad.Success);
        Assert.Equal(1, bad.Value);
        Assert.StartsWith("exit code 1", bad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLineIsSplitWithKeepalivedRulesAndRunWithoutAShell()
    {
        using ScriptTracker tracker = new(new ScriptTrackerOptions { Name = "s", CommandLine = "/bin/sh -c 'echo \"bad thing\" >&2; exit 3'" });
        Assert.Equal(["/bin/sh", "-c", "echo \"bad thing\" >&2; exit 3"], tracker.Argv);
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal(3, result.Value);
        Assert.Equal("exit code 3: bad thing", result.Reason);
    }

    [Fact]
    public async Task MissingProgramFailsSayingSo()
    {
        using ScriptTracker tracker = new(new ScriptTrackerOptions { Name = "m", Arguments = [_dir.File("no-such-program")] });
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("not found", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonExecutableFileFailsWithPermissionDenied()
    {
        string script = _dir.File("not-executable.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using ScriptTracker tracker = new(new ScriptTrackerOptions { Name = "n", Arguments = [script] });
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("permission denied", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScriptPastItsTimeoutIsKilledWithItsChildrenAndFails()
    {
        (string script, string pidFile) = WriteSleeper();
        FakeTimeProvider time = new();
        using ScriptTracker tracker = new(new ScriptTrackerOptions { Name = "slow", Arguments = [script, pidFile] });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "slow", Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(2) }, time);
        runner.Start();
        int[] pids = await ReadPidsAsync(pidFile);

        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "timeout reported");
        Assert.False(runner.LastResult!.Success);
        Assert.Contains("timed out", runner.LastResult.Reason, StringComparison.Ordinal);
        foreach (int pid in pids)
        {
            await Eventually.TrueAsync(() => ProcessReaper.IsGone(pid), $"pid {pid} gone");
        }
    }

    [Fact]
    public async Task DisposingTheRunnerKillsARunningScript()
    {
        (string script, string pidFile) = WriteSleeper();
        using ScriptTracker tracker = new(new ScriptTrackerOptions { Name = "slow", Arguments = [script, pidFile] });
        TrackerRunner runner = new(tracker, new TrackerOptions { Name = "slow", Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(30) }, new FakeTimeProvider());
        runner.Start();
        int[] pids = await ReadPidsAsync(pidFile);
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        foreach (int pid in pids)
        {
            await Eventually.TrueAsync(() => ProcessReaper.IsGone(pid), $"pid {pid} gone");
        }
    }

    [Fact]
    public void ValidationNamesTheField()
    {
        Assert.Equal("Arguments", Assert.Throws<ArgumentException>(() => new ScriptTracker(new ScriptTrackerOptions { Name = "x" })).ParamName);
        Assert.Equal("CommandLine", Assert.Throws<ArgumentException>(() => new ScriptTracker(new ScriptTrackerOptions { Name = "x", CommandLine = "\"unterminated" })).ParamName);
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => new ScriptTracker(new ScriptTrackerOptions { Arguments = ["/bin/true"] })).ParamName);
    }

    /// <summary>A script that records its pid and its child's, then waits on a bounded sleep (ends by itself in 20 s).</summary>
    private (string Script, string PidFile) WriteSleeper()
    {
        string script = _dir.File("sleeper.sh");
        File.WriteAllText(script, "#!/bin/sh\n/bin/sleep 20 &\necho $$ $! > \"$1.tmp\"\nmv \"$1.tmp\" \"$1\"\nwait\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (script, _dir.File("pids"));
    }

    private async Task<int[]> ReadPidsAsync(string pidFile)
    {
        await Eventually.TrueAsync(() => File.Exists(pidFile), "the script wrote its pids");
        int[] pids = [.. (await File.ReadAllTextAsync(pidFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)];
        Assert.Equal(2, pids.Length);
        foreach (int pid in pids)
        {
            _reaper.Add(pid);
            Assert.False(ProcessReaper.IsGone(pid));
        }

        return pids;
    }
}
