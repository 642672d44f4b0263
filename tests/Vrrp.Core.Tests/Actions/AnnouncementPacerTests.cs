using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Tests.Tracking;

namespace Vrrp.Tests.Actions;

/// <summary>vrrp_garp_interval / vrrp_gna_interval: the pacing of announcements on one interface, on a fake clock.</summary>
public sealed class AnnouncementPacerTests
{
    private static readonly TimeSpan Ten = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Gratuitous_arps_of_two_callers_go_out_one_interval_apart_and_never_early()
    {
        FakeTimeProvider time = new();
        using AnnouncementPacer pacer = new(time);
        DateTimeOffset start = time.GetUtcNow();
        List<(string Who, TimeSpan At)> sent = [];
        Task a = SendAsync("a", 3);
        Task b = SendAsync("b", 3);

        for (int n = 1; n < 6; n++)
        {
            // The send is over (its time stamped) before the clock moves on.
            // A generous bound: it only waits for what must happen (the thread pool is busy when the suites run side by side).
            await Eventually.TrueAsync(() => Count() == n && pacer.LastSent(ipv6: false) == time.GetTimestamp(), $"send {n}", 30_000);
            time.Advance(Ten - TimeSpan.FromMilliseconds(1));
            await Eventually.Settle();
            Assert.Equal(n, Count());
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(5));
        lock (sent)
        {
            Assert.Equal([0, 10, 20, 30, 40, 50], sent.Select(s => s.At.TotalMilliseconds));
            Assert.Equal(3, sent.Count(s => s.Who == "a"));
        }

        int Count()
        {
            lock (sent)
            {
                return sent.Count;
            }
        }

        async Task SendAsync(string who, int count)
        {
            for (int i = 0; i < count; i++)
            {
                await pacer.RunAsync(ipv6: false, Ten, () => Record(who), CancellationToken.None);
            }
        }

        bool Record(string who)
        {
            lock (sent)
            {
                sent.Add((who, time.GetUtcNow() - start));
            }

            return true;
        }
    }

    [Fact]
    public async Task Neighbour_advertisements_keep_their_own_clock()
    {
        FakeTimeProvider time = new();
        using AnnouncementPacer pacer = new(time);
        int arps = 0;
        int nas = 0;

        await pacer.RunAsync(ipv6: true, TimeSpan.FromSeconds(1), () => ++nas, CancellationToken.None);
        await pacer.RunAsync(ipv6: false, Ten, () => ++arps, CancellationToken.None);
        Task<int> secondNa = pacer.RunAsync(ipv6: true, TimeSpan.FromSeconds(1), () => Interlocked.Increment(ref nas), CancellationToken.None).AsTask();
        Task<int> secondArp = pacer.RunAsync(ipv6: false, Ten, () => Interlocked.Increment(ref arps), CancellationToken.None).AsTask();
        time.Advance(Ten);

        Assert.Equal(2, await secondArp.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(secondNa.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1) - Ten);
        Assert.Equal(2, await secondNa.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Without_an_interval_a_burst_goes_out_at_once()
    {
        FakeTimeProvider time = new();
        using AnnouncementPacer pacer = new(time);
        int sent = 0;

        for (int i = 0; i < 100; i++)
        {
            ValueTask<int> send = pacer.RunAsync(ipv6: i % 2 == 0, TimeSpan.Zero, () => ++sent, CancellationToken.None);
            Assert.True(send.IsCompleted);
            await send;
        }

        Assert.Equal(100, sent);
    }

    [Fact]
    public async Task A_cancelled_wait_sends_nothing_and_frees_the_turn()
    {
        FakeTimeProvider time = new();
        using AnnouncementPacer pacer = new(time);
        using CancellationTokenSource cancel = new();
        List<string> sent = [];
        await pacer.RunAsync(ipv6: false, Ten, () => { sent.Add("first"); return 0; }, CancellationToken.None);
        Task waiting = pacer.RunAsync(ipv6: false, Ten, () => { sent.Add("cancelled"); return 0; }, cancel.Token).AsTask();
        Task<int> next = pacer.RunAsync(ipv6: false, Ten, () => { sent.Add("next"); return 0; }, CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        time.Advance(Ten);

        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["first", "next"], sent);
    }

    [Fact]
    public async Task A_failed_send_still_holds_the_next_one_back()
    {
        FakeTimeProvider time = new();
        using AnnouncementPacer pacer = new(time);

        await Assert.ThrowsAsync<LocalAddressActionException>(() => pacer.RunAsync<int>(ipv6: false, Ten, () => throw new LocalAddressActionException("send failed"), CancellationToken.None).AsTask());
        Task<int> next = pacer.RunAsync(ipv6: false, Ten, () => 1, CancellationToken.None).AsTask();
        await Eventually.Settle();

        Assert.False(next.IsCompleted);
        time.Advance(Ten);
        Assert.Equal(1, await next.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
