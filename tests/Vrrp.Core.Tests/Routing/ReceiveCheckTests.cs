using System.Net;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class ReceiveCheckTests
{
    public static TheoryData<string, VrrpDropReason?> Cases => new()
    {
        { "ok", null },
        { "ttl-below-window", VrrpDropReason.TimeToLive },
        { "ttl-above-window", VrrpDropReason.TimeToLive },
        { "version", VrrpDropReason.VersionMismatch },
        { "vrid", VrrpDropReason.VirtualRouterIdMismatch },
        { "auth-type", VrrpDropReason.AuthTypeMismatch },
        { "auth-password", VrrpDropReason.AuthFailure },
        { "interval-v2", VrrpDropReason.IntervalMismatch },
        { "stranger", VrrpDropReason.SourceNotPeer },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachCheckIsACountedDrop(string scenario, VrrpDropReason? expected)
    {
        using RouterHarness h = new(o =>
        {
            o.AuthType = VrrpAuthType.SimplePassword;
            o.AuthPassword = "secret";
            o.Peers = [new VrrpPeer(RouterHarness.LowerPeer), new VrrpPeer(RouterHarness.HigherPeer, 250, 254)];
        });
        h.Router.Start();
        VrrpAdvertisement advert = scenario switch
        {
            "version" => VrrpAdvertisement.CreateV3(47, 150, TimeSpan.FromSeconds(1), System.Net.Sockets.AddressFamily.InterNetwork, [RouterHarness.Vip]),
            "vrid" => VrrpAdvertisement.CreateV2(48, 150, 1, [RouterHarness.Vip], VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("secret")),
            "auth-type" => VrrpAdvertisement.CreateV2(47, 150, 1, [RouterHarness.Vip]),
            "auth-password" => VrrpAdvertisement.CreateV2(47, 150, 1, [RouterHarness.Vip], VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("wrong")),
            "interval-v2" => h.Advert(150, TimeSpan.FromSeconds(2)),
            _ => h.Advert(150),
        };
        byte ttl = scenario switch { "ttl-below-window" => 249, "ttl-above-window" => 255, _ => 252 };
        IPAddress source = scenario == "stranger" ? RouterHarness.Stranger : RouterHarness.HigherPeer;
        Assert.Equal(VrrpParseStatus.Success, h.Receive(advert, source, ttl));

        VrrpStatistics stats = h.Router.GetStatistics();
        Assert.Equal(1, stats.AdvertisementsReceived);
        Assert.Equal(expected is null ? 0 : 1, stats.TotalDropped);
        if (expected is { } reason)
        {
            Assert.Equal(1, stats.GetDrops(reason));
            Assert.Null(h.Router.CurrentMaster);
        }
        else
        {
            Assert.Equal(RouterHarness.HigherPeer, h.Router.CurrentMaster);
        }
    }

    [Fact]
    public void UnknownSourceAcceptedWhenCheckUnicastSourceIsOff()
    {
        using RouterHarness h = new(o => o.CheckUnicastSource = false);
        h.Router.Start();
        h.Receive(150, RouterHarness.Stranger);
        Assert.Equal(0, h.Router.GetStatistics().TotalDropped);
        Assert.Equal(RouterHarness.Stranger, h.Router.CurrentMaster);
    }

    [Fact]
    public void AddressListMismatchIsCountedNotDropped()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Receive(h.Advert(150, addresses: [IPAddress.Parse("10.0.0.200")]));
        h.Receive(h.Advert(150, addresses: []));
        VrrpStatistics stats = h.Router.GetStatistics();
        Assert.Equal(2, stats.AddressListErrors);
        Assert.Equal(0, stats.TotalDropped);
        Assert.Equal(150, h.Router.CurrentMasterPriority);
    }

    [Fact]
    public void NotRunningIsADrop()
    {
        using RouterHarness h = new();
        h.Receive(150);
        Assert.Equal(1, h.Router.GetStatistics().GetDrops(VrrpDropReason.NotRunning));
    }

    [Fact]
    public void StatisticsUseKeepalivedNames()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        h.Receive(0);
        IReadOnlyDictionary<string, long> map = h.Router.GetStatistics().ToDictionary();
        Assert.Equal(2, map["advert_sent"]);
        Assert.Equal(1, map["advert_rcvd"]);
        Assert.Equal(1, map["become_master"]);
        Assert.Equal(1, map["pri_zero_rcvd"]);
        foreach (string name in new[] { "release_master", "packet_len_err", "ip_ttl_err", "invalid_type_rcvd", "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure", "pri_zero_sent", "drop_source_not_peer", "parse_bad_checksum" })
        {
            Assert.True(map.ContainsKey(name), name);
        }
    }
}
