using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Routing;
using Vrrp.Tests.Routing;
using Vrrp.Tests.Simulation;
using Vrrp.Transports;

namespace Vrrp.Tests.Actions;

public sealed class FailoverActionPipelineTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public async Task A_burst_of_transitions_reaches_a_slow_action_in_order_each_exactly_once()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        List<VrrpTransition> raised = [];
        h.Router.StateChanged += (_, t) => raised.Add(t);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrentQueue<FailoverEvent> seen = new();
        await using FailoverActionPipeline pipeline = new(timeProvider: h.Time);
        pipeline.Add(new DelegateFailoverAction("slow", async (e, ct) =>
        {
            await release.Task.WaitAsync(ct);
            seen.Enqueue(e);
        }));
        PipelineRecorder recorder = new(pipeline);
        pipeline.Attach(h.Router);

        h.Router.Start();
        for (int i = 0; i < 20; i++)
        {
            h.Router.SetInterfaceState(false);
            h.Router.SetInterfaceState(true);
        }

        h.Router.Shutdown();
        Assert.True(raised.Count >= 41, $"the burst raised {raised.Count} transitions");
        Assert.Empty(seen); // the action is still stuck on the first one: the router did not wait for it
        release.SetResult();
        await recorder.WaitForOutcomeAsync("slow", raised.Count);

        Assert.Equal(raised, seen.Select(e => e.Transition));
        Assert.Equal(Enumerable.Range(1, raised.Count).Select(i => (long)i), seen.Select(e => e.Sequence));
        Assert.Equal(FailoverEventKind.Stop, seen.Last().Kind);
        Assert.All(recorder.Outcomes("slow"), o => Assert.Equal(FailoverActionResult.Succeeded, o.Result));
        Assert.Equal(raised.Count, pipeline.GetStatistics().Single().Runs);
    }

    [Fact]
    public async Task A_hanging_action_is_cancelled_at_its_timeout_while_the_router_keeps_advertising()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork network = new(time);
        InMemoryTransport ta = network.AddNode(A);
        network.AddNode(B);
        using VrrpNode node = new(ta, time);
        VirtualRouter router = node.AddRouter(new VirtualRouterOptions
        {
            Name = "VI_1", VirtualRouterId = 47, Priority = 255, UnicastSource = A, Peers = [new VrrpPeer(B)], VirtualAddresses = [A],
        });
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        bool cancelled = false;
        await using FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { ActionTimeout = TimeSpan.FromSeconds(5) }, time);
        pipeline.Add(new DelegateFailoverAction("hangs", async (e, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
        }));
        List<FailoverEvent> after = [];
        pipeline.Add(new DelegateFailoverAction("after", e => after.Add(e)));
        PipelineRecorder recorder = new(pipeline);
        pipeline.Attach(router);

        node.Start();
        Assert.Equal(VrrpState.Master, router.State);
        await started.Task.WaitAsync(PipelineRecorder.Bound);
        long sentAtStart = network.MessagesSent;

        time.Run(TimeSpan.FromSeconds(4.9));
        Assert.Equal(4, network.MessagesSent - sentAtStart); // one advert a second while the action hangs
        Assert.Empty(recorder.Outcomes("hangs"));
        Assert.Equal(1, pipeline.PendingEvents);

        time.Run(TimeSpan.FromSeconds(0.2));
        await recorder.WaitForOutcomeAsync("after", 1);

        FailoverActionCompleted outcome = recorder.Outcomes("hangs").Single();
        Assert.Equal(FailoverActionResult.TimedOut, outcome.Result);
        Assert.InRange(outcome.Duration, TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(5.1));
        Assert.True(cancelled);
        Assert.Equal(FailoverEventKind.Master, Assert.Single(after).Kind); // the next action still ran
        FailoverActionStatistics stats = pipeline.GetStatistics()[0];
        Assert.Equal((1L, 0L, 1L, FailoverActionResult.TimedOut), (stats.Runs, stats.Failures, stats.Timeouts, stats.LastResult!.Value));
        Assert.Equal(5, network.MessagesSent - sentAtStart);
        Assert.Equal(VrrpState.Master, router.State);
    }

    [Fact]
    public async Task An_action_that_ignores_cancellation_is_abandoned_after_the_grace_and_the_pipeline_moves_on()
    {
        FakeTimeProvider time = new();
        TaskCompletionSource never = new();
        await using FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { ActionTimeout = TimeSpan.FromSeconds(2) }, time);
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.Add(new DelegateFailoverAction("deaf", (e, _) =>
        {
            started.TrySetResult();
            return never.Task;
        }));
        List<long> next = [];
        pipeline.Add(new DelegateFailoverAction("next", e => next.Add(e.Sequence)));
        PipelineRecorder recorder = new(pipeline);

        pipeline.Post(Transition(VrrpState.Master));
        await started.Task.WaitAsync(PipelineRecorder.Bound);
        time.Advance(TimeSpan.FromSeconds(2));
        Task outcome = recorder.WaitForOutcomeAsync("next", 1);
        for (int i = 0; i < 100 && !outcome.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(outcome, Task.Delay(20));
        }

        await outcome;
        Assert.Equal(FailoverActionResult.TimedOut, recorder.Outcomes("deaf").Single().Result);
        Assert.Equal([1L], next);
        never.SetResult();
    }

    [Fact]
    public async Task Exceptions_are_contained_counted_and_reported_and_later_actions_and_events_still_run()
    {
        await using FailoverActionPipeline pipeline = new();
        pipeline
            .Add(new DelegateFailoverAction("throws", (FailoverEvent e) => throw new InvalidOperationException("boom " + e.Sequence)))
            .Add(new DelegateFailoverAction("faults", (e, _) => Task.FromException(new IOException("disk"))))
            .Add(new DelegateFailoverAction("cancels-itself", (e, _) => Task.FromCanceled(new CancellationToken(true))));
        List<long> last = [];
        pipeline.Add(new DelegateFailoverAction("last", e => last.Add(e.Sequence)));
        PipelineRecorder recorder = new(pipeline);

        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(Transition(VrrpState.Backup));
        await recorder.WaitForOutcomeAsync("last", 2);

        Assert.Equal([1L, 2L], last);
        Assert.All(recorder.Outcomes("throws"), o => Assert.IsType<InvalidOperationException>(o.Error));
        Assert.All(recorder.Outcomes("faults"), o => Assert.Equal((FailoverActionResult.Failed, "disk"), (o.Result, o.Error!.Message)));
        Assert.All(recorder.Outcomes("cancels-itself"), o => Assert.Equal(FailoverActionResult.Failed, o.Result));
        Assert.Equal([2L, 2L, 2L, 0L], pipeline.GetStatistics().Select(s => s.Failures));
        Assert.Equal(2, pipeline.GetStatistics()[3].Succeeded);
    }

    [Fact]
    public async Task The_event_stream_shows_each_event_then_each_actions_outcome_in_order()
    {
        await using FailoverActionPipeline pipeline = new();
        pipeline.Add(new DelegateFailoverAction("a", _ => { })).Add(new DelegateFailoverAction("b", _ => throw new InvalidOperationException()));
        PipelineRecorder recorder = new(pipeline);

        pipeline.Post(Transition(VrrpState.Backup));
        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(new VrrpLowerPriorityAdvertisement("VI_1", B, 50, 100));
        await recorder.WaitForOutcomeAsync("b", 3);

        // Each event is on the stream when it is queued (in sequence order), then each action's outcome in lane order.
        string[] entries = [.. recorder.Entries.Select(n => n switch
        {
            FailoverEventDispatched d => $"{d.Event.Sequence} {d.Event.KeepalivedState}",
            FailoverActionCompleted c => $"{c.Event.Sequence} {c.ActionName} {c.Result}",
            _ => "?",
        })];
        Assert.Equal(["1 BACKUP", "2 MASTER", "3 MASTER_RX_LOWER_PRI"], recorder.Entries.OfType<FailoverEventDispatched>().Select(d => $"{d.Event.Sequence} {d.Event.KeepalivedState}"));
        Assert.Equal(["1 a Succeeded", "1 b Failed", "2 a Succeeded", "2 b Failed", "3 a Succeeded", "3 b Failed"],
            recorder.Entries.OfType<FailoverActionCompleted>().Select(c => $"{c.Event.Sequence} {c.ActionName} {c.Result}"));
        foreach (string dispatched in entries.Where(e => e.Split(' ').Length == 2))
        {
            string sequence = dispatched.Split(' ')[0];
            Assert.True(Array.IndexOf(entries, dispatched) < Array.FindIndex(entries, e => e.StartsWith($"{sequence} a ", StringComparison.Ordinal)), $"{dispatched} before its outcomes: {string.Join(" | ", entries)}");
        }
    }

    [Fact]
    public async Task A_master_that_hears_a_lower_priority_advert_delivers_a_reassert_event()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        await using FailoverActionPipeline pipeline = new(timeProvider: h.Time);
        ConcurrentQueue<FailoverEvent> seen = new();
        pipeline.Add(new DelegateFailoverAction("cloud", e => seen.Enqueue(e)));
        PipelineRecorder recorder = new(pipeline);
        pipeline.Attach(h.Router);

        h.Router.Start();
        h.Receive(90, RouterHarness.LowerPeer);
        await recorder.WaitForOutcomeAsync("cloud", 2);

        Assert.Equal([FailoverEventKind.Master, FailoverEventKind.MasterHeardLowerPriority], seen.Select(e => e.Kind));
        FailoverEvent reassert = seen.Last();
        Assert.True(reassert.IsMaster);
        Assert.Equal((RouterHarness.LowerPeer, 90), (reassert.LowerPriorityAdvertisement!.Source, reassert.LowerPriorityAdvertisement.Priority));
    }

    [Fact]
    public async Task Stopping_drains_within_its_bound_then_cancels_the_rest_and_rejects_new_events()
    {
        FakeTimeProvider time = new();
        FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { DrainTimeout = TimeSpan.FromSeconds(3) }, time);
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.Add(new DelegateFailoverAction("stuck", async (e, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        PipelineRecorder recorder = new(pipeline);
        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(Transition(VrrpState.Backup));
        pipeline.Post(Transition(VrrpState.Stopped));
        await started.Task.WaitAsync(PipelineRecorder.Bound);

        Task<bool> stop = pipeline.StopAsync();
        Assert.Equal(0, pipeline.Post(Transition(VrrpState.Master)));
        Assert.False(stop.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(await stop.WaitAsync(PipelineRecorder.Bound));
        await recorder.Completion.WaitAsync(PipelineRecorder.Bound); // the stream ends
        Assert.Equal([FailoverActionResult.Cancelled, FailoverActionResult.Cancelled, FailoverActionResult.Cancelled], recorder.Outcomes("stuck").Select(o => o.Result));
        Assert.Equal(1, pipeline.RejectedEvents);
        Assert.Equal(0, pipeline.PendingEvents);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_lets_quick_actions_finish_everything_queued()
    {
        List<string> seen = [];
        FailoverActionPipeline pipeline = new();
        pipeline.Add(new DelegateFailoverAction("quick", e => seen.Add(e.KeepalivedState)));
        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(Transition(VrrpState.Stopped));

        Assert.True(await pipeline.StopAsync());
        Assert.Equal(["MASTER", "STOP"], seen);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public void Invalid_options_and_duplicate_names_are_rejected_naming_the_field()
    {
        ArgumentException bad = Assert.Throws<ArgumentException>(() => new FailoverActionPipeline(new FailoverActionPipelineOptions { ActionTimeout = TimeSpan.Zero, EventStreamCapacity = 0 }));
        Assert.Contains("ActionTimeout", bad.Message, StringComparison.Ordinal);
        Assert.Contains("EventStreamCapacity", bad.Message, StringComparison.Ordinal);
        using FailoverActionPipeline pipeline = new();
        pipeline.Add(new DelegateFailoverAction("x", _ => { }));
        Assert.Throws<ArgumentException>(() => pipeline.Add(new DelegateFailoverAction("x", _ => { })));
    }

    [Fact]
    public async Task An_event_whose_state_is_over_when_it_runs_is_marked_superseded_and_still_delivered()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrentQueue<FailoverEvent> seen = new();
        await using FailoverActionPipeline pipeline = new();
        pipeline.Add(new DelegateFailoverAction("slow", async (e, ct) =>
        {
            await release.Task.WaitAsync(ct);
            seen.Enqueue(e);
        }));
        PipelineRecorder recorder = new(pipeline);
        VrrpLowerPriorityAdvertisement lower = new("VI_1", B, 50, 100);
        VrrpTransition other = Transition(VrrpState.Master) with { InstanceName = "VI_2" };

        // MASTER, a lower-priority advert heard as MASTER, then BACKUP — all queued while the action is busy; VI_2 MASTER alone.
        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(lower);
        pipeline.Post(other);
        pipeline.Post(Transition(VrrpState.Backup));
        release.SetResult();
        await recorder.WaitForOutcomeAsync("slow", 4);

        Assert.Equal(
            [(FailoverEventKind.Master, "VI_1", true), (FailoverEventKind.MasterHeardLowerPriority, "VI_1", true), (FailoverEventKind.Master, "VI_2", false), (FailoverEventKind.Backup, "VI_1", false)],
            seen.Select(e => (e.Kind, e.InstanceName, e.IsSuperseded)));
        Assert.Equal(seen.Select(e => e.IsSuperseded), recorder.Entries.OfType<FailoverActionCompleted>().Select(c => c.Event.IsSuperseded));

        // Handled before the next transition arrives: current.
        pipeline.Post(Transition(VrrpState.Master));
        await recorder.WaitForOutcomeAsync("slow", 5);
        Assert.False(seen.Last().IsSuperseded);
    }

    private static VrrpTransition Transition(VrrpState state) =>
        new("VI_1", VrrpState.Backup, state, VrrpTransitionReason.MasterDown, 100, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
