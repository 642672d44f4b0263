using System.Collections.Concurrent;
using Vrrp.Routing;
using Vrrp.Runtime;
using Vrrp.Tests.Routing;

namespace Vrrp.Tests.Runtime;

/// <summary>
/// What keeps the protocol immune to its host: timers on a thread of their own, subscribers isolated from the protocol
/// and from each other, and a MASTER's answers to lower priorities bounded.
/// </summary>
public sealed class ProtocolIsolationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void Protocol_timers_fire_on_the_dedicated_thread_while_the_thread_pool_is_starved()
    {
        using ProtocolClock clock = new("vrrp-protocol-test");
        using ManualResetEventSlim release = new();
        int starve = Environment.ProcessorCount * 32;
        using CountdownEvent exited = new(starve);
        int blocked = 0;
        try
        {
            // More pool work items than the pool has threads block (sync-over-async in the host): the pool has nothing left.
            for (int i = 0; i < starve; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    Interlocked.Increment(ref blocked);
                    release.Wait(Bound);
                    exited.Signal();
                }, null);
            }

            ConcurrentBag<int> threads = [];
            using CountdownEvent fired = new(20);
            using ITimer timer = clock.CreateTimer(_ =>
            {
                threads.Add(Environment.CurrentManagedThreadId);
                if (!fired.IsSet)
                {
                    fired.Signal();
                }
            }, null, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5));

            Assert.True(fired.Wait(Bound), $"only {20 - fired.CurrentCount} of 20 firings");
            Assert.False(release.IsSet);
            Assert.True(Volatile.Read(ref blocked) < starve, "the pool was not starved: every blocker got a thread");
            Assert.All(threads, id => Assert.Equal(clock.ThreadId, id));
        }
        finally
        {
            release.Set();
            Assert.True(exited.Wait(Bound));
        }
    }

    [Fact]
    public void A_changed_or_disposed_timer_does_not_fire_its_old_schedule_and_a_throwing_callback_does_not_end_the_thread()
    {
        using ProtocolClock clock = new("vrrp-protocol-test");
        int late = 0;
        using ManualResetEventSlim ran = new();
        using ITimer moved = clock.CreateTimer(_ => Interlocked.Increment(ref late), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        Assert.True(moved.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan));
        ITimer disposed = clock.CreateTimer(_ => Interlocked.Increment(ref late), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        disposed.Dispose();
        Assert.False(disposed.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        using ITimer thrower = clock.CreateTimer(_ => throw new InvalidOperationException("a bug in a callback"), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);

        // Due after the others: when it runs, the earlier schedules (20 ms) were due and were not run.
        using ITimer last = clock.CreateTimer(_ => ran.Set(), null, TimeSpan.FromMilliseconds(60), Timeout.InfiniteTimeSpan);

        Assert.True(ran.Wait(Bound));
        Assert.Equal(0, Volatile.Read(ref late));
        Assert.Equal(2, clock.Fired); // the thrower and the last one
    }

    [Fact]
    public void An_isolated_router_delivers_to_every_subscriber_although_one_throws_and_one_blocks()
    {
        using RouterHarness h = new(o => o.Priority = 200);
        h.Router.IsolateSubscribers = true;
        using ManualResetEventSlim unblock = new();
        ConcurrentQueue<VrrpState> seen = new();
        using SemaphoreSlim arrived = new(0);
        int blockedCalls = 0;
        h.Router.StateChanged += (_, _) => throw new InvalidOperationException("a subscriber's bug");
        h.Router.StateChanged += (_, _) =>
        {
            Interlocked.Increment(ref blockedCalls);
            unblock.Wait(Bound); // a hung console
        };
        h.Router.StateChanged += (_, t) =>
        {
            seen.Enqueue(t.NewState);
            arrived.Release();
        };

        // The protocol runs on: start, become MASTER, then leave, all while a subscriber is stuck on the first event.
        h.Router.Start();
        h.Advance(TimeSpan.FromSeconds(4));
        h.Router.Shutdown();

        for (int i = 0; i < 3; i++)
        {
            Assert.True(arrived.Wait(Bound), $"the third subscriber got {seen.Count} of 3 transitions");
        }

        Assert.Equal([VrrpState.Backup, VrrpState.Master, VrrpState.Stopped], seen);
        Assert.Equal(VrrpState.Stopped, h.Router.State);
        Assert.Equal(1, Volatile.Read(ref blockedCalls));
        Assert.Contains(h.Sent, a => a.Priority == 0);
        unblock.Set();
    }

    [Fact]
    public void An_inline_router_still_calls_the_subscribers_after_one_that_throws()
    {
        using RouterHarness h = new(o => o.Priority = 200);
        List<VrrpState> seen = [];
        h.Router.StateChanged += (_, _) => throw new InvalidOperationException("a subscriber's bug");
        h.Router.StateChanged += (_, t) => seen.Add(t.NewState);

        h.Router.Start();
        h.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal([VrrpState.Backup, VrrpState.Master], seen);
    }

    [Fact]
    public void A_flood_of_lower_priority_adverts_raises_and_answers_at_most_once_per_second_and_counts_the_rest()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        int sentAtStart = h.Sent.Count; // the new MASTER's first advertisement; the next is due 1 s later

        // 500 lower-priority adverts within 0.5 s: one event, one answer, 499 of each counted.
        for (int i = 0; i < 500; i++)
        {
            h.Receive(90, RouterHarness.LowerPeer);
            h.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Single(h.LowerHeard);
        Assert.Equal(1, h.Sent.Count - sentAtStart);
        VrrpStatistics stats = h.Router.GetStatistics();
        Assert.Equal(499, stats.LowerPriorityEventsSuppressed);
        Assert.Equal(499, stats.LowerPriorityAnswersSuppressed);
        Assert.Equal(499, stats.ToDictionary()["lower_prio_events_suppressed"]);

        // A second after the first, the next one is raised and answered again.
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        int sent = h.Sent.Count;
        h.Receive(90, RouterHarness.LowerPeer);
        Assert.Equal(2, h.LowerHeard.Count);
        Assert.Equal(sent + 1, h.Sent.Count);
        Assert.Equal(VrrpState.Master, h.Router.State);
    }

    [Fact]
    public void A_higher_priority_advert_during_a_flood_still_takes_effect_at_once()
    {
        using RouterHarness h = new(o => o.Priority = 150);
        h.Router.Start();
        h.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, h.Router.State);
        for (int i = 0; i < 100; i++)
        {
            h.Receive(90, RouterHarness.LowerPeer);
        }

        h.Receive(200, RouterHarness.HigherPeer);

        Assert.Equal(VrrpState.Backup, h.Router.State);
    }
}
