using System.Collections.Concurrent;
using System.Net;
using Vrrp.Actions;
using Vrrp.Routing;

namespace Vrrp.Tests.Actions;

/// <summary>The pipeline's lanes and bounds: addresses never wait behind a script or a cloud call, backlogs cannot grow.</summary>
public sealed class PipelineLaneTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly IPAddress Peer = IPAddress.Parse("192.0.2.2");

    [Fact]
    public async Task A_hung_script_lane_delays_neither_the_next_address_change_nor_the_cloud_lane()
    {
        TaskCompletionSource hung = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrentQueue<string> order = new();
        await using FailoverActionPipeline pipeline = new();
        pipeline.Add(new LaneAction("vip", FailoverLanes.Address, e => order.Enqueue($"vip {e.Kind}")));
        pipeline.Add(new LaneAction("notify", FailoverLanes.Notify, async (e, ct) =>
        {
            order.Enqueue($"notify {e.Kind}");
            await hung.Task.WaitAsync(ct);
        }));
        pipeline.Add(new LaneAction("eip", FailoverLanes.Cloud, e => order.Enqueue($"eip {e.Kind}")));
        PipelineRecorder recorder = new(pipeline);

        pipeline.Post(Transition(VrrpState.Master));
        pipeline.Post(Transition(VrrpState.Backup));
        await recorder.WaitUntilAsync(e => e.OfType<FailoverActionCompleted>().Count(c => c.ActionName is "vip" or "eip") == 4, "the address and cloud lanes handled both events");

        // The notify lane is stuck on the first event; the others went on. Within each lane the order holds, and every
        // lane saw the address lane finish an event before starting it.
        Assert.Equal(["vip Master", "vip Backup"], order.Where(o => o.StartsWith("vip", StringComparison.Ordinal)));
        Assert.Equal(["eip Master", "eip Backup"], order.Where(o => o.StartsWith("eip", StringComparison.Ordinal)));
        Assert.Equal(["notify Master"], order.Where(o => o.StartsWith("notify", StringComparison.Ordinal)));
        string[] all = [.. order];
        Assert.True(Array.IndexOf(all, "vip Master") < Array.IndexOf(all, "eip Master"));
        Assert.True(Array.IndexOf(all, "vip Master") < Array.IndexOf(all, "notify Master"));
        Assert.Equal(2, pipeline.PendingEvents);

        hung.SetResult();
        await recorder.WaitUntilAsync(e => e.OfType<FailoverActionCompleted>().Count(c => c.ActionName == "notify") == 2, "the notify lane caught up");
        Assert.Equal(0, pipeline.PendingEvents);
        Assert.Equal(
            [("vip", FailoverLanes.Address), ("notify", FailoverLanes.Notify), ("eip", FailoverLanes.Cloud)],
            pipeline.Placements.Select(p => (p.Name, p.Lane)));
    }

    [Fact]
    public async Task Lower_priority_reasserts_coalesce_per_instance_while_one_is_pending_and_transitions_are_never_dropped()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrentQueue<FailoverEvent> seen = new();
        await using FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { EventQueueCapacity = 4 });
        pipeline.Add(new LaneAction("slow", FailoverLanes.Cloud, async (e, ct) =>
        {
            await release.Task.WaitAsync(ct);
            seen.Enqueue(e);
        }));
        PipelineRecorder recorder = new(pipeline);

        for (int i = 0; i < 1000; i++)
        {
            pipeline.Post(new VrrpLowerPriorityAdvertisement("VI_1", Peer, 50, 100));
            pipeline.Post(new VrrpLowerPriorityAdvertisement("VI_2", Peer, 50, 100));
        }

        for (int i = 0; i < 300; i++)
        {
            pipeline.Post(Transition(i % 2 == 0 ? VrrpState.Master : VrrpState.Backup));
        }

        Assert.Equal(1998, pipeline.CoalescedEvents);
        Assert.Equal(302, pipeline.PendingEvents);
        release.SetResult();
        await recorder.WaitForOutcomeAsync("slow", 302);

        Assert.Equal(2, seen.Count(e => e.Kind == FailoverEventKind.MasterHeardLowerPriority));
        Assert.Equal(300, seen.Count(e => e.Transition is not null));
        Assert.Equal(0, pipeline.DroppedEvents);

        // Once handled, the next re-assert is queued again.
        pipeline.Post(new VrrpLowerPriorityAdvertisement("VI_1", Peer, 50, 100));
        await recorder.WaitForOutcomeAsync("slow", 303);
        Assert.Equal(1998, pipeline.CoalescedEvents);
    }

    [Fact]
    public async Task Notification_events_beyond_the_queue_bound_are_dropped_and_counted()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { EventQueueCapacity = 3 });
        pipeline.Add(new LaneAction("fifo", FailoverLanes.Notify, (_, ct) => release.Task.WaitAsync(ct), FailoverEventKind.PriorityChanged));
        PipelineRecorder recorder = new(pipeline);

        for (int i = 0; i < 10; i++)
        {
            pipeline.Post(new VrrpPriorityChange("VI_1", VrrpState.Master, 100, 90 - i, DateTimeOffset.UnixEpoch));
        }

        Assert.Equal(7, pipeline.DroppedEvents);
        release.SetResult();
        await recorder.WaitForOutcomeAsync("fifo", 3);
        Assert.Equal(0, pipeline.PendingEvents);
    }

    [Fact]
    public async Task An_action_policy_sets_its_lane_and_timeout_and_an_explicit_one_wins()
    {
        await using FailoverActionPipeline pipeline = new(new FailoverActionPipelineOptions { ActionTimeout = TimeSpan.FromSeconds(7) });
        pipeline.Add(new LaneAction("a", "mine", _ => { }) { Timeout = TimeSpan.FromSeconds(3) });
        pipeline.Add(new DelegateFailoverAction("b", _ => { }));
        pipeline.Add(new LaneAction("c", "mine", _ => { }), TimeSpan.FromSeconds(1), FailoverLanes.Cloud);

        Assert.Equal(
            [new FailoverActionPlacement("a", "mine", TimeSpan.FromSeconds(3), nameof(LaneAction)),
             new FailoverActionPlacement("b", FailoverLanes.Default, TimeSpan.FromSeconds(7), nameof(DelegateFailoverAction)),
             new FailoverActionPlacement("c", FailoverLanes.Cloud, TimeSpan.FromSeconds(1), nameof(LaneAction))],
            pipeline.Placements);
        Assert.Throws<ArgumentException>(() => pipeline.Add(new DelegateFailoverAction("d", _ => { }), lane: " "));
    }

    private static VrrpTransition Transition(VrrpState state) =>
        new("VI_1", VrrpState.Backup, state, VrrpTransitionReason.MasterDown, 100, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private sealed class LaneAction(string name, string lane, Func<FailoverEvent, CancellationToken, Task> handler, FailoverEventKind? accepts = null)
        : IFailoverAction, IFailoverActionPolicy, IFailoverEventFilter
    {
        public LaneAction(string name, string lane, Action<FailoverEvent> handler)
            : this(name, lane, (e, _) =>
            {
                handler(e);
                return Task.CompletedTask;
            })
        {
        }

        public string Name { get; } = name;

        public string Lane { get; } = lane;

        public TimeSpan? Timeout { get; init; }

        public TimeSpan? TimeoutPerEvent => Timeout;

        public bool Accepts(FailoverEventKind kind) => kind == accepts;

        public Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken) => handler(failoverEvent, cancellationToken);
    }
}
