using System.Net;
using BenchmarkDotNet.Attributes;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Benchmarks;

/// <summary>The virtual router's receive path: one router handling adverts, and 255 routers on one node.</summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private static readonly IPAddress Self = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Peer = IPAddress.Parse("10.0.0.1");
    private readonly byte[] _message = new byte[64];
    private readonly byte[] _self = Self.GetAddressBytes();
    private readonly byte[] _peer = Peer.GetAddressBytes();
    private readonly byte[][] _messages = new byte[256][];
    private int _length;
    private VirtualRouter _router = null!;
    private VrrpNode _node = null!;
    private VrrpDatagramHandler _deliver = null!;
    private readonly byte[] _lower = new byte[64];
    private VrrpNode _masterNode = null!;
    private VrrpDatagramHandler _deliverToMaster = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A BACKUP hearing a higher-priority master: each advert resets its down timer (the common case).
        _router = new VirtualRouter(Options(1), TimeProvider.System);
        _router.Start();
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV2(1, 200, 1, [IPAddress.Parse("10.0.0.100")]);
        VrrpCodec.TryWrite(advert, _message, _peer, _self, VrrpChecksumMode.MessageOnly, out _length);

        CapturingTransport transport = new();
        _node = new VrrpNode(transport, TimeProvider.System);
        for (int vrid = 1; vrid <= 255; vrid++)
        {
            _node.AddRouter(Options(vrid));
            _messages[vrid] = new byte[64];
            VrrpCodec.TryWrite(VrrpAdvertisement.CreateV2((byte)vrid, 200, 1, [IPAddress.Parse("10.0.0.100")]), _messages[vrid], _peer, _self, VrrpChecksumMode.MessageOnly, out _);
        }

        _node.Start();
        _deliver = transport.Handler!;

        // A MASTER (priority 150) hearing a lower priority (50): a flood answered and raised at most once a second.
        CapturingTransport masterTransport = new();
        _masterNode = new VrrpNode(masterTransport, TimeProvider.System);
        VirtualRouterOptions master = Options(1);
        master.Priority = 150;
        master.InitialState = VrrpInitialState.Master;
        VirtualRouter masterRouter = _masterNode.AddRouter(master);
        _masterNode.Start();
        // It becomes MASTER on its first timer (at once for state MASTER, or after Master_Down_Interval alone): wait, bounded.
        for (int i = 0; i < 500 && masterRouter.State != VrrpState.Master; i++)
        {
            Thread.Sleep(10);
        }

        if (masterRouter.State != VrrpState.Master)
        {
            throw new InvalidOperationException($"the MASTER benchmark router is {masterRouter.State}");
        }

        VrrpCodec.TryWrite(VrrpAdvertisement.CreateV2(1, 50, 1, [IPAddress.Parse("10.0.0.100")]), _lower, _peer, _self, VrrpChecksumMode.MessageOnly, out _);
        _deliverToMaster = masterTransport.Handler!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _router.Dispose();
        _node.Dispose();
        _masterNode.Dispose();
    }

    /// <summary>Parse (checksum included) and hand one advert to one router.</summary>
    [Benchmark]
    public void OneRouterReceivesAdvert()
    {
        VrrpCodec.TryParse(_message.AsSpan(0, _length), _peer, _self, 255, out VrrpPacket packet);
        _router.ReceiveAdvertisement(packet);
    }

    /// <summary>One advert interval for 255 instances on one node: 255 datagrams demultiplexed, parsed and handled.</summary>
    [Benchmark(OperationsPerInvoke = 255)]
    public void Node255RoutersOneIntervalEach()
    {
        for (int vrid = 1; vrid <= 255; vrid++)
        {
            _deliver(new VrrpDatagram(_messages[vrid].AsSpan(0, _length), _peer, _self, 255));
        }
    }

    /// <summary>A MASTER hears a lower-priority advert (a flood, or a one-way partition): checked, counted, rate-limited.</summary>
    [Benchmark]
    public void MasterHearsLowerPriority() => _deliverToMaster(new VrrpDatagram(_lower.AsSpan(0, _length), _peer, _self, 255));

    private static VirtualRouterOptions Options(int vrid) => new()
    {
        Name = $"VI_{vrid}",
        VirtualRouterId = vrid,
        Priority = 100,
        AdvertisementInterval = TimeSpan.FromSeconds(1),
        UnicastSource = Self,
        Peers = [new VrrpPeer(Peer)],
        VirtualAddresses = [IPAddress.Parse("10.0.0.100")],
    };

    private sealed class CapturingTransport : IVrrpTransport
    {
        public VrrpDatagramHandler? Handler { get; private set; }

        public bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive) => true;

        public IDisposable RegisterReceiver(VrrpDatagramHandler handler)
        {
            Handler = handler;
            return this;
        }

        public void Dispose() => Handler = null;
    }
}
