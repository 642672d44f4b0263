using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Tests.Simulation;

/// <summary>
/// The user's reference deployment (keepalived EIP failover across two AWS availability zones): host01 state
/// MASTER priority 102, host02 state BACKUP priority 101, VRID 47, advert_int 3 (VRRPv2), unicast across routed
/// subnets, each tracking haproxy with weight +20.
/// </summary>
public class ReferenceDeploymentTests
{
    private static VirtualRouterOptions Options(bool master, IPAddress self, IPAddress peer) => new()
    {
        Name = "haproxy-vip",
        InitialState = master ? VrrpInitialState.Master : VrrpInitialState.Backup,
        Priority = master ? 102 : 101,
        VirtualRouterId = 47,
        AdvertisementInterval = TimeSpan.FromSeconds(3),
        UnicastSource = self,
        Peers = [new VrrpPeer(peer)],
        VirtualAddresses = [IPAddress.Parse("10.15.85.31")],
        Trackers = [new VrrpTrackerOptions("haproxy-check", 20)],
    };

    [Fact]
    public void TrackerFailureMovesTheAddressAndRecoveryPreemptsBack()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork network = new(time);
        IPAddress ip1 = IPAddress.Parse("10.18.16.11");
        IPAddress ip2 = IPAddress.Parse("10.18.18.11");
        InMemoryTransport t1 = network.AddNode(ip1);
        InMemoryTransport t2 = network.AddNode(ip2);
        InMemoryLink routed = new() { Hops = 1, Delay = TimeSpan.FromMilliseconds(2) };
        network.SetLink(t1, t2, routed);
        network.SetLink(t2, t1, routed);
        using VrrpNode node1 = new(t1, time);
        using VrrpNode node2 = new(t2, time);
        VirtualRouter host01 = node1.AddRouter(Options(true, ip1, ip2));
        VirtualRouter host02 = node2.AddRouter(Options(false, ip2, ip1));
        List<string> notifyMaster = [];
        host01.AddressesAnnounced += (_, _) => notifyMaster.Add("host01");
        host02.AddressesAnnounced += (_, _) => notifyMaster.Add("host02");
        node1.Start();
        node2.Start();

        time.Run(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(1));
        Assert.Equal((VrrpState.Master, 122), (host01.State, host01.EffectivePriority));
        Assert.Equal((VrrpState.Backup, 121), (host02.State, host02.EffectivePriority));
        Assert.Equal(["host01"], notifyMaster);

        // haproxy dies on host01: 102 < 121, host02 stops resetting its down timer and takes over.
        host01.ReportTrackerResult("haproxy-check", false);
        Assert.Equal(102, host01.EffectivePriority);
        TimeSpan bound = host02.MasterDownInterval + TimeSpan.FromSeconds(3);
        time.Run(bound);
        Assert.Equal(VrrpState.Master, host02.State);
        Assert.Equal(VrrpState.Backup, host01.State);
        Assert.Equal(["host01", "host02"], notifyMaster);

        // haproxy is back: 122 > 121, host01 preempts back.
        host01.ReportTrackerResult("haproxy-check", true);
        time.Run(host01.MasterDownInterval + TimeSpan.FromSeconds(3));
        Assert.Equal(VrrpState.Master, host01.State);
        Assert.Equal(VrrpState.Backup, host02.State);
        Assert.Equal(["host01", "host02", "host01"], notifyMaster);
        Assert.Equal(0, host01.GetStatistics().TotalDropped + host02.GetStatistics().TotalDropped);
        Assert.Equal(2, host01.GetStatistics().BecomeMaster);
        Assert.Equal(1, host02.GetStatistics().ReleaseMaster);
    }
}
