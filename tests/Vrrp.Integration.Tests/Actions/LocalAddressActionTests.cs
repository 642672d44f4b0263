using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vrrp.Actions;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Routing;
using Vrrp.Transports.Raw;

namespace Vrrp.Integration.Tests.Actions;

/// <summary>
/// Two of our routers (raw sockets, each in its namespace) and an observer on one bridged LAN: the virtual address
/// follows the MASTER, and its gratuitous ARP / unsolicited NA is on the wire and updates the observer's neighbour table.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class LocalAddressActionTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly BridgeLab _lan = new();
    private readonly string _n1;
    private readonly string _n2;
    private readonly string _observer;

    public LocalAddressActionTests()
    {
        _n1 = _lan.AddHost("n1", "192.0.2.1/24", "2001:db8::1/64");
        _n2 = _lan.AddHost("n2", "192.0.2.2/24", "2001:db8::2/64");
        _observer = _lan.AddHost("obs", "192.0.2.3/24", "2001:db8::3/64");
    }

    public void Dispose() => _lan.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_failover_the_address_is_on_the_new_master_only_and_its_announcements_update_the_neighbours(bool ipv6)
    {
        string tshark = Prerequisites.RequireProgram("tshark", "tshark");
        string vip = ipv6 ? "2001:db8::100" : "192.0.2.100";
        string mac1 = BridgeLab.Mac(_n1);
        string mac2 = BridgeLab.Mac(_n2);
        using Member a = new(_n1, ipv6, self: 1, peer: 2, priority: 200, vip);
        using Member b = new(_n2, ipv6, self: 2, peer: 1, priority: 100, vip);
        b.Node.Start();
        a.Node.Start();

        WaitUntil(() => a.Router.State == VrrpState.Master && HasAddress(_n1, vip), "n1 MASTER with the address");
        // Actions run after the transition, off the router's thread: if n2 won a first election while n1 was still
        // starting, its address goes away when its BACKUP action has run.
        // Every event handled: a MASTER event of n2's from that first election must not run after the capture starts.
        WaitUntil(() => b.Router.State == VrrpState.Backup && !HasAddress(_n2, vip) && a.Pipeline.PendingEvents == 0 && b.Pipeline.PendingEvents == 0,
            "the BACKUP without the address, every action done");
        long sentBefore = b.Action.AnnouncementsSent;

        // The observer has talked to the old MASTER: its neighbour entry for the address points at n1. (Linux only
        // updates an existing entry from a gratuitous ARP / unsolicited NA; it does not create one.)
        NetnsLab.Ip($"-n {_observer} neigh replace {vip} lladdr {mac1} dev eth0 nud stale");
        Assert.Contains(mac1, Neighbour(vip), StringComparison.Ordinal);

        ConcurrentQueue<string> captured = new();
        using SemaphoreSlim line = new(0);
        _lan.Lab.Start(_observer, tshark, "-i eth0 -l -n -f \"arp or icmp6\" -T fields -E separator=; -e frame.time_epoch -e eth.src -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 " +
            "-e icmpv6.type -e icmpv6.nd.na.target_address -e icmpv6.nd.na.flag.s -e icmpv6.nd.na.flag.o", l => { captured.Enqueue(l); line.Release(); });
        WaitUntil(() => captured.Any(l => l.Contains("Capturing on", StringComparison.Ordinal)), "tshark capturing", () => string.Join('\n', captured));

        DateTimeOffset? becameMaster = null;
        b.Router.StateChanged += (_, t) => { if (t.NewState == VrrpState.Master) { becameMaster ??= t.Timestamp; } };
        a.Router.Shutdown();

        WaitUntil(() => b.Router.State == VrrpState.Master && HasAddress(_n2, vip) && !HasAddress(_n1, vip), "the address on n2 only",
            () => $"n1: {NetnsLab.Ip($"-n {_n1} addr show dev eth0")}\nn2: {NetnsLab.Ip($"-n {_n2} addr show dev eth0")}\n{Stats(a)}\n{Stats(b)}");
        WaitUntil(() => Announcements(captured, mac2, vip).Count >= 10, "10 announcements (two bursts of 5)", () => string.Join('\n', captured));

        Assert.Contains(mac2, Neighbour(vip), StringComparison.Ordinal);
        List<double> times = Announcements(captured, mac2, vip);
        Assert.Equal(10, times.Count);
        Assert.True(times[4] - times[0] < 0.5, $"first burst spread over {times[4] - times[0]:0.000} s");
        // garp_master_delay: the second burst is due 1 s after becoming MASTER (keepalived's meaning), whenever the
        // first one went out (opening the capture device can delay it on a loaded machine).
        Assert.NotNull(becameMaster);
        double secondBurst = times[5] - (becameMaster.Value.ToUnixTimeMilliseconds() / 1000.0);
        Assert.True(secondBurst is >= 0.7 and <= 1.6,
            $"second burst {secondBurst:0.000} s after MASTER at {becameMaster.Value.ToUnixTimeMilliseconds() / 1000.0:0.000}:\n{string.Join('\n', captured)}\n{Stats(b)}{b.Errors}");
        Assert.Empty(Announcements(captured, mac1, vip));
        Assert.True(a.Pipeline.GetStatistics().Sum(s => s.Failures + s.Timeouts) == 0, Stats(a) + a.Errors);
        Assert.True(b.Pipeline.GetStatistics().Sum(s => s.Failures + s.Timeouts) == 0, Stats(b) + b.Errors);
        Assert.Equal(10, b.Action.AnnouncementsSent - sentBefore);
    }

    [Fact]
    public async Task A_superseded_master_event_neither_adds_nor_announces_the_address()
    {
        using LocalAddressAction action = new(new LocalAddressActionOptions
        {
            Interface = "eth0",
            Addresses = [LocalVirtualAddress.Parse("192.0.2.100/24")],
            NetworkNamespace = _n1,
            GarpMasterDelay = TimeSpan.Zero,
        });
        FailoverEvent master = FailoverEvent.FromTransition(1, new VrrpTransition("VI_47", VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 100, DateTimeOffset.UtcNow))!;

        await action.OnEventAsync(master with { IsSuperseded = true }, CancellationToken.None);
        Assert.False(HasAddress(_n1, "192.0.2.100"));
        Assert.Equal(0, action.AnnouncementsSent);

        await action.OnEventAsync(master with { Sequence = 2 }, CancellationToken.None);
        Assert.True(HasAddress(_n1, "192.0.2.100"));
        Assert.True(action.AnnouncementsSent > 0);
    }

    [Fact]
    public async Task A_missing_interface_fails_the_event_with_a_clear_message()
    {
        using LocalAddressAction action = new(new LocalAddressActionOptions
        {
            Interface = "nope0",
            Addresses = [LocalVirtualAddress.Parse("192.0.2.100/24")],
            NetworkNamespace = _n1,
        });
        FailoverEvent master = FailoverEvent.FromTransition(1, new VrrpTransition("VI_47", VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 100, DateTimeOffset.UnixEpoch))!;

        LocalAddressActionException e = await Assert.ThrowsAsync<LocalAddressActionException>(() => action.OnEventAsync(master, CancellationToken.None));

        Assert.Contains("nope0", e.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot find device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_and_a_namespace_shape_the_ip_command()
    {
        using LocalAddressAction action = new(new LocalAddressActionOptions
        {
            Interface = "eth0",
            Label = "eth0:vip",
            NetworkNamespace = "blue",
            Addresses = [LocalVirtualAddress.Parse("192.0.2.100/24"), LocalVirtualAddress.Parse("2001:db8::100/64")],
        });

        // ip is found once, on PATH's absolute directories (iproute2 is installed wherever these tests run).
        Assert.True(Vrrp.Actions.ChildProcess.TryResolve("ip", out string ip, out string? problem), problem);
        Assert.True(Path.IsPathFullyQualified(ip), ip);
        Assert.Equal([ip, "-n", "blue", "addr", "add", "192.0.2.100/24", "dev", "eth0", "label", "eth0:vip"], action.AddressCommand(LocalVirtualAddress.Parse("192.0.2.100/24"), add: true));
        Assert.Equal([ip, "-n", "blue", "addr", "add", "2001:db8::100/64", "dev", "eth0", "nodad"], action.AddressCommand(LocalVirtualAddress.Parse("2001:db8::100/64"), add: true));
        Assert.Equal([ip, "-n", "blue", "addr", "del", "2001:db8::100/64", "dev", "eth0"], action.AddressCommand(LocalVirtualAddress.Parse("2001:db8::100/64"), add: false));
    }

    private static List<double> Announcements(IEnumerable<string> captured, string mac, string vip) =>
    [
        .. captured.Select(l => l.Split(';')).Where(f => f.Length >= 8 && f[1] == mac &&
            ((f[2] == vip && f[3] == vip) || (f[4] == "136" && f[5] == vip && f[6] is "0" or "False" && f[7] is "1" or "True")))
            .Select(f => double.Parse(f[0], CultureInfo.InvariantCulture)).Order(),
    ];

    private static bool HasAddress(string ns, string vip) =>
        NetnsLab.Ip($"-n {ns} -o addr show dev eth0").Split('\n').Any(l => l.Contains($" {vip}/", StringComparison.Ordinal));

    private string Neighbour(string vip) => NetnsLab.Ip($"-n {_observer} neigh show {vip}");

    private static string Stats(Member m) => string.Join(", ", m.Pipeline.GetStatistics());

    private static void WaitUntil(Func<bool> condition, string what, Func<string>? detail = null)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"not within {Bound.TotalSeconds} s: {what}\n{detail?.Invoke()}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>One of our routers inside a namespace with its pipeline and local-address action.</summary>
    private sealed class Member : IDisposable
    {
        public Member(string ns, bool ipv6, int self, int peer, int priority, string vip)
        {
            IPAddress Address(int n) => IPAddress.Parse(ipv6 ? $"2001:db8::{n}" : $"192.0.2.{n}");
            Transport = NetnsLab.InNamespace(ns, () => RawSocketTransport.Open(new RawSocketTransportOptions { LocalAddress = Address(self), Interface = "eth0" }));
            Node = new VrrpNode(Transport, TimeProvider.System);
            Router = Node.AddRouter(new VirtualRouterOptions
            {
                Name = "VI_47",
                VirtualRouterId = 47,
                Version = Packets.VrrpVersion.V3,
                Priority = priority,
                AdvertisementInterval = TimeSpan.FromMilliseconds(100),
                UnicastSource = Address(self),
                Peers = [new VrrpPeer(Address(peer))],
                VirtualAddresses = [IPAddress.Parse(vip)],
            });
            Action = new LocalAddressAction(new LocalAddressActionOptions
            {
                Interface = "eth0",
                Addresses = [LocalVirtualAddress.Parse($"{vip}/{(ipv6 ? 64 : 24)}")],
                NetworkNamespace = ns,
                GarpMasterDelay = TimeSpan.FromSeconds(1),
            });
            Pipeline = new FailoverActionPipeline(new FailoverActionPipelineOptions { ActionTimeout = TimeSpan.FromSeconds(10) });
            Pipeline.Add(Action);
            Pipeline.Attach(Router);
            _ = Task.Run(async () =>
            {
                await foreach (FailoverPipelineNotification n in Pipeline.ReadEventsAsync())
                {
                    if (n is FailoverActionCompleted { Error: not null } c)
                    {
                        Errors += $"\n{c.Event}: {c.Error.Message}";
                    }
                }
            });
        }

        public string Errors { get; private set; } = "";

        public RawSocketTransport Transport { get; }

        public VrrpNode Node { get; }

        public VirtualRouter Router { get; }

        public LocalAddressAction Action { get; }

        public FailoverActionPipeline Pipeline { get; }

        public void Dispose()
        {
            Node.Dispose();
            Pipeline.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
            Action.Dispose();
            Transport.Dispose();
        }
    }
}
