using Microsoft.Extensions.Time.Testing;
using Vrrp.Routing;
using Vrrp.Tests.Routing;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

public class TrackerRunnerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunsAtStartThenAtEachInterval()
    {
        ScriptedTracker tracker = new("chk", "S") { Clock = _time };
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(2) }, _time);
        DateTimeOffset t0 = _time.GetUtcNow();
        runner.Start();
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "first check at start");

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Settle();
        Assert.Equal(1, tracker.Starts);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 2, "second check");
        _time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 3, "third check");

        Assert.Equal([t0, t0.AddSeconds(2), t0.AddSeconds(4)], tracker.StartTimes);
        Assert.True(runner.LastResult!.Success);
    }

    [Fact]
    public async Task RunsNeverOverlapAndMissedTicksMergeIntoOneRun()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptedTracker tracker = new("chk", async (n, ct) =>
        {
            if (n == 0)
            {
                await release.Task.WaitAsync(ct);
            }

            return TrackerResult.Ok("done");
        });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(10) }, _time);
        runner.Start();
        await Eventually.TrueAsync(() => tracker.Starts == 1, "first check started");

        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.Settle();
        Assert.Equal(1, tracker.Starts);

        release.SetResult();
        await Eventually.TrueAsync(() => runner.CompletedChecks == 2, "the merged tick runs once the first check ends");
        await Eventually.Settle();
        Assert.Equal(2, tracker.Starts);
        Assert.Equal(1, tracker.MaxRunning);
    }

    [Fact]
    public async Task TimedOutCheckIsCancelledAndCountsAsFailure()
    {
        bool cancelled = false;
        ScriptedTracker tracker = new("chk", async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return TrackerResult.Ok("never");
        });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(1) }, _time);
        runner.Start();
        await Eventually.TrueAsync(() => tracker.Starts == 1, "check started");
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await Eventually.Settle();
        Assert.Equal(0, runner.CompletedChecks);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "timeout reported");
        Assert.False(runner.LastResult!.Success);
        Assert.Contains("timed out", runner.LastResult.Reason, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => cancelled, "the check saw its cancellation");
    }

    [Fact]
    public async Task DefaultTimeoutIsTheInterval()
    {
        ScriptedTracker tracker = new("chk", async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return TrackerResult.Ok("never"); });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(3) }, _time);
        Assert.Equal(TimeSpan.FromSeconds(3), runner.Timeout);
        runner.Start();
        await Eventually.TrueAsync(() => tracker.Starts == 1, "check started");
        _time.Advance(TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(() => runner.CompletedChecks >= 1, "timeout at the interval");
        Assert.False(runner.LastResult!.Success);
    }

    [Fact]
    public async Task ThrowingCheckIsAFailureWithTheMessageAndTheRunnerGoesOn()
    {
        ScriptedTracker tracker = new("chk", (n, _) => n == 0 ? throw new InvalidOperationException("boom") : Task.FromResult(TrackerResult.Ok("fine")));
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk" }, _time);
        List<TrackerResult> seen = [];
        runner.ResultReported += (_, r) => { lock (seen) { seen.Add(r); } };
        runner.ResultReported += (_, _) => throw new InvalidOperationException("bad observer");
        runner.Start();
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "first check");
        Assert.Equal(TrackerResult.Fail("boom"), runner.LastResult);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 2, "second check");
        Assert.True(runner.LastResult!.Success);
        // Subscribers hear of a result after it is counted: wait for the second report too.
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 2; } }, "second report");
        lock (seen)
        {
            Assert.Equal([false, true], seen.Select(r => r.Success));
        }
    }

    [Fact]
    public async Task CheckIgnoringCancellationMakesTheNextRunBeSkipped()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptedTracker tracker = new("chk", async (n, _) =>
        {
            if (n == 0)
            {
                await release.Task; // ignores its token
            }

            return TrackerResult.Ok("done");
        });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(1) }, _time);
        runner.Start();
        await Eventually.TrueAsync(() => tracker.Starts == 1, "first check started");
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "timeout reported");
        Assert.False(runner.LastResult!.Success);
        await Eventually.Settle();
        Assert.Equal(1, tracker.Starts); // the tick at 1 s found the check still running: skipped

        release.SetResult();
        // The stuck check ends on another thread; a tick that still finds it running is skipped again, so tick
        // until a new check has run (bounded), rather than racing one tick against that thread.
        for (int tick = 0; tick < 20 && runner.CompletedChecks < 2; tick++)
        {
            await Eventually.Settle();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.TrueAsync(() => runner.CompletedChecks >= 2, "runs again once the stuck check ended");
        Assert.True(tracker.Starts >= 2, $"{tracker.Starts} starts");
        Assert.Equal(1, tracker.MaxRunning);
    }

    [Fact]
    public async Task DisposeCancelsTheRunningCheckAndStopsTheSchedule()
    {
        bool cancelled = false;
        ScriptedTracker tracker = new("chk", async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return TrackerResult.Ok("never");
        });
        TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk", Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(30) }, _time);
        runner.Start();
        await Eventually.TrueAsync(() => tracker.Starts == 1, "check started");
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(cancelled);
        Assert.Equal(0, runner.CompletedChecks); // a check cancelled by shutdown is not reported
        _time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.Settle();
        Assert.Equal(1, tracker.Starts);
        Assert.Throws<ObjectDisposedException>(runner.Start);
    }

    [Fact]
    public async Task ResultsMoveARealRoutersEffectivePriorityWithWeight20()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("haproxy-check", 20)]);
        bool healthy = true;
        ScriptedTracker tracker = new("haproxy-check", (_, _) => Task.FromResult(Volatile.Read(ref healthy) ? TrackerResult.Ok("up") : TrackerResult.Fail("down")));
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "haproxy-check", Interval = TimeSpan.FromSeconds(2) }, h.Time);
        runner.Attach(h.Router);
        h.Router.Start();
        Assert.Equal(120, h.Router.EffectivePriority); // a tracker starts OK unless init_fail, as in keepalived

        runner.Start();
        await Eventually.TrueAsync(() => runner.CompletedChecks == 1, "first check");
        Assert.Equal(120, h.Router.EffectivePriority);
        Volatile.Write(ref healthy, false);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => h.Router.EffectivePriority == 100, "weight removed on failure");
        Volatile.Write(ref healthy, true);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => h.Router.EffectivePriority == 120, "weight back");
    }

    [Fact]
    public async Task WeightZeroFaultsAfterFallFailuresAndRecoversAfterRiseSuccesses()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk") { Fall = 3, Rise = 2 }]);
        ScriptedTracker tracker = new("chk", "FFFSS");
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "chk" }, h.Time);
        runner.Attach(h.Router);
        h.Router.Start();
        runner.Start();
        bool[] faultAfter = new bool[5];
        for (int i = 0; i < 5; i++)
        {
            if (i > 0)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }

            int expected = i + 1;
            await Eventually.TrueAsync(() => runner.CompletedChecks == expected, $"check {expected}");
            faultAfter[i] = h.Router.State == VrrpState.Fault;
        }

        Assert.Equal([false, false, true, true, false], faultAfter);
        Assert.Contains(h.Transitions, t => t.NewState == VrrpState.Fault && t.Reason == VrrpTransitionReason.TrackerFault);
    }

    [Fact]
    public async Task FeedsSeveralRoutersUnderTheirOwnTrackerNames()
    {
        using RouterHarness a = new(o => o.Trackers = [new VrrpTrackerOptions("chk", 20)]);
        using RouterHarness b = new(o => { o.Name = "VI_2"; o.Trackers = [new VrrpTrackerOptions("other", -30)]; });
        await using TrackerRunner runner = new(new ScriptedTracker("chk", "F"), new TrackerOptions { Name = "chk" }, a.Time);
        runner.Attach(a.Router);
        runner.Attach(b.Router, "other");
        Assert.Throws<ArgumentException>(() => runner.Attach(b.Router));
        runner.Start();
        await Eventually.TrueAsync(() => b.Router.EffectivePriority == 70, "second router got the failure");
        Assert.Equal(100, a.Router.EffectivePriority);
        Assert.True(runner.Detach(a.Router));
    }

    [Fact]
    public async Task RunOnceReportsWithoutStarting()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk", -10)]);
        await using TrackerRunner runner = new(new ScriptedTracker("chk", "F"), new TrackerOptions { Name = "chk" }, h.Time);
        runner.Attach(h.Router);
        TrackerResult result = await runner.RunOnceAsync();
        Assert.False(result.Success);
        Assert.Equal(90, h.Router.EffectivePriority);
    }

    [Fact]
    public void InvalidOptionsAreRejectedNamingTheField()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new TrackerRunner(new ScriptedTracker("chk", "S"), new TrackerOptions { Name = "chk", Interval = TimeSpan.Zero }));
        Assert.Equal("Interval", ex.ParamName);
    }
}
