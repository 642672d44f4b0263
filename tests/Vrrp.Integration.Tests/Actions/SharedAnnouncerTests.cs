using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Vrrp.Actions;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Routing;

namespace Vrrp.Integration.Tests.Actions;

/// <summary>
/// Several local-address actions on one interface: one shared capture device (closed by the last user, reopened
/// after a failed send), and keepalived's vrrp_garp_interval pacing across them, checked on the wire by tshark in the
/// peer namespace.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class SharedAnnouncerTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly NetnsLab _lab = new();
    private readonly string _host;
    private readonly string _observer;

    public SharedAnnouncerTests()
    {
        _host = _lab.AddNamespace("h");
        _observer = _lab.AddNamespace("o");
        _lab.Link(_host, "eth0", ["192.0.2.1/24"], _observer, "eth0", ["192.0.2.3/24"]);
    }

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Actions_on_one_interface_share_one_device_that_the_last_one_closes()
    {
        LocalAddressAction a = Action("VI_1", "192.0.2.101");
        LocalAddressAction b = Action("VI_2", "192.0.2.102");
        try
        {
            await a.OnEventAsync(Master("VI_1"), CancellationToken.None);
            await b.OnEventAsync(Master("VI_2"), CancellationToken.None);

            Assert.Equal(1, NeighborAnnouncer.OpenDevices(_host));
            Assert.Equal(1, a.AnnouncementsSent);
            Assert.Equal(1, b.AnnouncementsSent);
            a.Dispose();
            Assert.Equal(1, NeighborAnnouncer.OpenDevices(_host));
            await b.OnEventAsync(Master("VI_2", FailoverEventKind.MasterHeardLowerPriority), CancellationToken.None);
            Assert.Equal(2, b.AnnouncementsSent);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }

        Assert.Equal(0, NeighborAnnouncer.OpenDevices(_host));
    }

    [Fact]
    public async Task A_failed_send_fails_only_its_own_event_and_the_next_user_reopens_the_device()
    {
        using LocalAddressAction a = Action("VI_1", "192.0.2.101");
        using LocalAddressAction b = Action("VI_2", "192.0.2.102");
        await a.OnEventAsync(Master("VI_1"), CancellationToken.None);
        Assert.Equal(1, NeighborAnnouncer.OpenDevices(_host));

        NetnsLab.Ip($"-n {_host} link set eth0 down");
        LocalAddressActionException e = await Assert.ThrowsAsync<LocalAddressActionException>(() => a.OnEventAsync(Master("VI_1", FailoverEventKind.MasterHeardLowerPriority), CancellationToken.None));
        Assert.Contains("cannot send the announcement of 192.0.2.101", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, NeighborAnnouncer.OpenDevices(_host));
        NetnsLab.Ip($"-n {_host} link set eth0 up");

        await b.OnEventAsync(Master("VI_2"), CancellationToken.None);
        Assert.Equal(1, b.AnnouncementsSent);
        Assert.Equal(1, NeighborAnnouncer.OpenDevices(_host));
    }

    [Fact]
    public async Task Gratuitous_arps_of_two_instances_on_one_interface_are_spaced_by_vrrp_garp_interval()
    {
        string tshark = Prerequisites.RequireProgram("tshark", "tshark");
        TimeSpan interval = TimeSpan.FromMilliseconds(50);
        using LocalAddressAction a = Action("VI_1", "192.0.2.101", repeat: 3, interval);
        using LocalAddressAction b = Action("VI_2", "192.0.2.102", repeat: 3, interval);
        ConcurrentQueue<string> captured = new();
        _lab.Start(_observer, tshark, "-i eth0 -l -n -f arp -T fields -E separator=; -e frame.time_epoch -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4", captured.Enqueue);
        WaitUntil(() => captured.Any(l => l.Contains("Capturing on", StringComparison.Ordinal)), "tshark capturing", captured);

        Stopwatch watch = Stopwatch.StartNew();
        await Task.WhenAll(
            Task.Run(() => a.OnEventAsync(Master("VI_1"), CancellationToken.None)),
            Task.Run(() => b.OnEventAsync(Master("VI_2"), CancellationToken.None)));
        watch.Stop();
        WaitUntil(() => Arps(captured).Count >= 6, "6 gratuitous ARPs", captured);

        List<(double At, string Address)> arps = Arps(captured);
        Assert.Equal(6, arps.Count);
        Assert.Equal(3, arps.Count(x => x.Address == "192.0.2.101"));
        double[] gaps = [.. arps.Zip(arps.Skip(1), (x, y) => y.At - x.At)];
        // Capture timestamps carry some jitter; the pacer measures from the end of one send to the start of the next.
        Assert.True(gaps.All(g => g >= interval.TotalSeconds - 0.002), $"gaps {string.Join(", ", gaps.Select(g => $"{g * 1000:0.0} ms"))}");
        Assert.True(watch.Elapsed >= 5 * interval, $"both bursts done in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    private LocalAddressAction Action(string instance, string vip, int repeat = 1, TimeSpan? garpInterval = null) => new(new LocalAddressActionOptions
    {
        InstanceName = instance,
        Interface = "eth0",
        Addresses = [LocalVirtualAddress.Parse($"{vip}/24")],
        NetworkNamespace = _host,
        GarpMasterRepeat = repeat,
        GarpMasterDelay = TimeSpan.Zero,
        GarpInterval = garpInterval ?? TimeSpan.Zero,
    });

    private static FailoverEvent Master(string instance, FailoverEventKind kind = FailoverEventKind.Master)
    {
        FailoverEvent master = FailoverEvent.FromTransition(1, new VrrpTransition(instance, VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 100, DateTimeOffset.UtcNow))!;
        return kind == FailoverEventKind.Master ? master : master with { Kind = kind };
    }

    private static List<(double At, string Address)> Arps(IEnumerable<string> captured) =>
    [
        .. captured.Select(l => l.Split(';')).Where(f => f.Length == 3 && f[1] == f[2] && f[1].StartsWith("192.0.2.10", StringComparison.Ordinal))
            .Select(f => (double.Parse(f[0], CultureInfo.InvariantCulture), f[1])).OrderBy(x => x.Item1),
    ];

    private static void WaitUntil(Func<bool> condition, string what, IEnumerable<string> captured)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"not within {Bound.TotalSeconds} s: {what}\n{string.Join('\n', captured)}");
            }

            Thread.Sleep(50);
        }
    }
}
