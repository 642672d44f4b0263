using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Tests.Simulation;
using Vrrp.Transports;

namespace Vrrp.Tests.Diagnostics;

/// <summary>Two VRRPv3 routers (priorities 150 and 100, 1 s adverts) on an in-memory network driven by a fake clock.</summary>
internal sealed class DiagnosticsCluster : IDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("192.0.2.2");

    public DiagnosticsCluster()
    {
        Network = new InMemoryNetwork(Time);
        TransportA = Network.AddNode(AddressA);
        TransportB = Network.AddNode(AddressB);
        NodeA = new VrrpNode(TransportA, Time);
        NodeB = new VrrpNode(TransportB, Time);
        A = NodeA.AddRouter(Options("VI_A", 150, AddressA, AddressB));
        B = NodeB.AddRouter(Options("VI_B", 100, AddressB, AddressA));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    public InMemoryNetwork Network { get; }

    public InMemoryTransport TransportA { get; }

    public InMemoryTransport TransportB { get; }

    public VrrpNode NodeA { get; }

    public VrrpNode NodeB { get; }

    public VirtualRouter A { get; }

    public VirtualRouter B { get; }

    public static VirtualRouterOptions Options(string name, int priority, IPAddress self, IPAddress peer) => new()
    {
        Name = name,
        VirtualRouterId = 51,
        Version = VrrpVersion.V3,
        Priority = priority,
        AdvertisementInterval = TimeSpan.FromSeconds(1),
        UnicastSource = self,
        Peers = [new VrrpPeer(peer)],
        VirtualAddresses = [IPAddress.Parse("192.0.2.100")],
        Trackers = [new VrrpTrackerOptions("check", 0)],
    };

    public void Start()
    {
        NodeA.Start();
        NodeB.Start();
    }

    public void Run(TimeSpan duration) => Time.Run(duration);

    public void Dispose()
    {
        NodeA.Dispose();
        NodeB.Dispose();
    }
}
