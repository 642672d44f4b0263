using System.Diagnostics;
using System.Runtime.Versioning;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

[SupportedOSPlatform("linux")]
public sealed class ProcessTrackerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ProcessReaper _reaper = new();
    private readonly string _name = "trk" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        _reaper.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task CountsOwnUniquelyNamedProcessAgainstTheQuorum()
    {
        Assert.False((await Check()).Success);

        using Process process = StartUniqueSleeper();
        await Eventually.TrueAsync(() => new ProcessTracker(Options()).CountMatches() == 1, "the process is visible in /proc");
        TrackerResult one = await Check();
        Assert.True(one.Success, one.Reason);
        Assert.Equal(1, one.Value);
        Assert.False((await Check(o => o.Quorum = 2)).Success);
        Assert.False((await Check(o => { o.Quorum = 0; o.QuorumMax = 0; })).Success);
        Assert.True((await Check(o => o.QuorumMax = 1)).Success);

        process.Kill();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        TrackerResult gone = await Check();
        Assert.False(gone.Success);
        Assert.Equal(0, gone.Value);
    }

    [Fact]
    public async Task MatchesTheFullCommandLine()
    {
        using Process process = StartUniqueSleeper();
        string path = _dir.File(_name);
        await Eventually.TrueAsync(() => new ProcessTracker(Options()).CountMatches() == 1, "the process is visible in /proc");
        Assert.True((await Check(o => { o.ProcessName = $"{path} 20"; o.MatchFullCommandLine = true; })).Success);
        Assert.False((await Check(o => { o.ProcessName = path; o.MatchFullCommandLine = true; })).Success);
    }

    [Fact]
    public async Task MissingProcfsIsAFailure()
    {
        TrackerResult result = await Check(o => o.ProcPath = _dir.File("no-proc"));
        Assert.False(result.Success);
        Assert.Contains("cannot scan", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationNamesTheField()
    {
        Assert.Equal("ProcessName", Assert.Throws<ArgumentException>(() => new ProcessTracker(new ProcessTrackerOptions { Name = "p" })).ParamName);
        Assert.Equal("QuorumMax", Assert.Throws<ArgumentException>(() => new ProcessTracker(new ProcessTrackerOptions { Name = "p", ProcessName = "x", Quorum = 2, QuorumMax = 1 })).ParamName);
    }

    private ProcessTrackerOptions Options(Action<ProcessTrackerOptions>? configure = null)
    {
        ProcessTrackerOptions options = new() { Name = "proc", ProcessName = _name };
        configure?.Invoke(options);
        return options;
    }

    private Task<TrackerResult> Check(Action<ProcessTrackerOptions>? configure = null) =>
        new ProcessTracker(Options(configure)).CheckAsync(CancellationToken.None);

    /// <summary>A copy of /bin/sleep under a unique name, sleeping 20 s at most; killed by PID in cleanup.</summary>
    private Process StartUniqueSleeper()
    {
        string path = _dir.File(_name);
        File.Copy("/bin/sleep", path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        ProcessStartInfo info = new(path) { UseShellExecute = false };
        info.ArgumentList.Add("20");
        Process process = Process.Start(info)!;
        _reaper.Add(process.Id);
        return process;
    }
}
