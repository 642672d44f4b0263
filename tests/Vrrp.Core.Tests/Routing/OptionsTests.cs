using System.Net;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class OptionsTests
{
    [Fact]
    public void DefaultsEqualKeepalived()
    {
        VirtualRouterOptions o = new();
        Assert.Equal(VrrpVersion.V2, o.Version);
        Assert.Equal(100, o.Priority);
        Assert.Equal(TimeSpan.FromSeconds(1), o.AdvertisementInterval);
        Assert.Equal(VrrpInitialState.Backup, o.InitialState);
        Assert.True(o.Preempt);
        Assert.Equal(TimeSpan.Zero, o.PreemptDelay);
        Assert.True(o.AnswerLowerPriorityAdvertisements);
        Assert.Equal(VrrpChecksumMode.PseudoHeader, o.ChecksumMode);
        Assert.Equal(VrrpAuthType.None, o.AuthType);
        Assert.Equal(255, o.UnicastTimeToLive);
        Assert.True(o.CheckUnicastSource);
        Assert.Empty(o.VirtualAddresses);
        Assert.Equal(0, new VrrpTrackerOptions().Weight);
        Assert.Equal(1, new VrrpTrackerOptions().Rise);
        Assert.Equal(1, new VrrpTrackerOptions().Fall);
    }

    [Fact]
    public void HarnessOptionsAreValid() => Assert.Empty(RouterHarness.CreateOptions().Validate());

    public static TheoryData<string, string> BadFields => new()
    {
        { "name", "Name" },
        { "vrid0", "VirtualRouterId" },
        { "vrid256", "VirtualRouterId" },
        { "prio0", "Priority" },
        { "prio256", "Priority" },
        { "v2-fraction", "AdvertisementInterval" },
        { "v2-zero", "AdvertisementInterval" },
        { "v3-5ms", "AdvertisementInterval" },
        { "v3-41s", "AdvertisementInterval" },
        { "v3-15ms", "AdvertisementInterval" },
        { "nopreempt-master", "Preempt" },
        { "preempt-delay", "PreemptDelay" },
        { "no-source", "UnicastSource" },
        { "v2-ipv6", "UnicastSource" },
        { "peer-family", "Peers[0].Address" },
        { "peer-self", "Peers[0].Address" },
        { "peer-ttl", "Peers[0].MinTimeToLive" },
        { "vip-family", "VirtualAddresses[0]" },
        { "auth-v3", "AuthType" },
        { "auth-long", "AuthPassword" },
        { "ttl0", "UnicastTimeToLive" },
        { "weight", "Trackers[0].Weight" },
        { "rise", "Trackers[0].Rise" },
        { "fall", "Trackers[0].Fall" },
        { "tracker-dup", "Trackers[1].Name" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void ValidationNamesTheBadField(string scenario, string field)
    {
        VirtualRouterOptions o = RouterHarness.CreateOptions();
        switch (scenario)
        {
            case "name": o.Name = " "; break;
            case "vrid0": o.VirtualRouterId = 0; break;
            case "vrid256": o.VirtualRouterId = 256; break;
            case "prio0": o.Priority = 0; break;
            case "prio256": o.Priority = 256; break;
            case "v2-fraction": o.AdvertisementInterval = TimeSpan.FromMilliseconds(1500); break;
            case "v2-zero": o.AdvertisementInterval = TimeSpan.Zero; break;
            case "v3-5ms": o.Version = VrrpVersion.V3; o.AdvertisementInterval = TimeSpan.FromMilliseconds(5); break;
            case "v3-41s": o.Version = VrrpVersion.V3; o.AdvertisementInterval = TimeSpan.FromSeconds(41); break;
            case "v3-15ms": o.Version = VrrpVersion.V3; o.AdvertisementInterval = TimeSpan.FromMilliseconds(15); break;
            case "nopreempt-master": o.Preempt = false; o.InitialState = VrrpInitialState.Master; break;
            case "preempt-delay": o.PreemptDelay = TimeSpan.FromSeconds(1001); break;
            case "no-source": o.UnicastSource = null; break;
            case "v2-ipv6": o.UnicastSource = IPAddress.IPv6Loopback; o.Peers = []; o.VirtualAddresses = []; break;
            case "peer-family": o.Peers = [new VrrpPeer(IPAddress.IPv6Loopback)]; break;
            case "peer-self": o.Peers = [new VrrpPeer(RouterHarness.Self)]; break;
            case "peer-ttl": o.Peers = [new VrrpPeer(RouterHarness.LowerPeer, 200, 100)]; break;
            case "vip-family": o.VirtualAddresses = [IPAddress.IPv6Loopback]; break;
            case "auth-v3": o.Version = VrrpVersion.V3; o.AuthType = VrrpAuthType.SimplePassword; o.AuthPassword = "x"; break;
            case "auth-long": o.AuthType = VrrpAuthType.SimplePassword; o.AuthPassword = "123456789"; break;
            case "ttl0": o.UnicastTimeToLive = 0; break;
            case "weight": o.Trackers = [new VrrpTrackerOptions("a", 255)]; break;
            case "rise": o.Trackers = [new VrrpTrackerOptions("a") { Rise = 0 }]; break;
            case "fall": o.Trackers = [new VrrpTrackerOptions("a") { Fall = 0 }]; break;
            case "tracker-dup": o.Trackers = [new VrrpTrackerOptions("a"), new VrrpTrackerOptions("a")]; break;
        }

        IReadOnlyList<string> errors = o.Validate();
        Assert.Contains(errors, e => e.StartsWith(field + ":", StringComparison.Ordinal));
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => new VirtualRouter(o));
        Assert.Contains(field, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroVirtualAddressesAndV3IPv6AreValid()
    {
        VirtualRouterOptions o = new()
        {
            Name = "cloud",
            VirtualRouterId = 1,
            Version = VrrpVersion.V3,
            AdvertisementInterval = TimeSpan.FromMilliseconds(40_950),
            UnicastSource = IPAddress.Parse("fd00::1"),
            Peers = [new VrrpPeer(IPAddress.Parse("fd00::2"))],
        };
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void RouterCopiesItsOptions()
    {
        VirtualRouterOptions o = RouterHarness.CreateOptions();
        using VirtualRouter router = new(o);
        o.Priority = 1;
        Assert.Equal(100, router.BasePriority);
    }
}
