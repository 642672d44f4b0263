using System.Diagnostics;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

/// <summary>Bounded waits on real time for work done on the runner's loop.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Lets the loop run a little, for asserting that something did not happen.</summary>
    public static Task Settle() => Task.Delay(50);
}

/// <summary>A tracker whose behaviour the test scripts; counts starts and concurrent runs.</summary>
internal sealed class ScriptedTracker(string name, Func<int, CancellationToken, Task<TrackerResult>> check) : IVrrpTracker
{
    private int _starts;
    private int _running;
    private int _maxRunning;

    public ScriptedTracker(string name, string results)
        : this(name, (n, _) => Task.FromResult(results[Math.Min(n, results.Length - 1)] == 'S' ? TrackerResult.Ok("scripted") : TrackerResult.Fail("scripted")))
    {
    }

    public string Name { get; } = name;

    public int Starts => Volatile.Read(ref _starts);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public List<DateTimeOffset> StartTimes { get; } = [];

    public TimeProvider? Clock { get; init; }

    public async Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        int running = Interlocked.Increment(ref _running);
        int n = Interlocked.Increment(ref _starts) - 1;
        lock (StartTimes)
        {
            if (Clock is not null)
            {
                StartTimes.Add(Clock.GetUtcNow());
            }
        }

        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }

        try
        {
            return await check(n, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

/// <summary>Processes started by a test, killed by PID at the end.</summary>
internal sealed class ProcessReaper : IDisposable
{
    private readonly List<int> _pids = [];

    public void Add(int pid)
    {
        lock (_pids)
        {
            _pids.Add(pid);
        }
    }

    public static bool IsGone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        lock (_pids)
        {
            foreach (int pid in _pids)
            {
                try
                {
                    using Process p = Process.GetProcessById(pid);
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(2000);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
    }
}

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vrrp-trk-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
