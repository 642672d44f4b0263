using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Packets;
using Vrrp.Transports.Raw;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>
/// The wire, both ways, against a real keepalived 2.2.7 in its own namespace: we accept every advert it sends,
/// and it accepts ours (it yields to our higher priority and logs no complaint about our packets).
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class KeepalivedWireTests : IDisposable
{
    private readonly TwoNodeLab _net = new();


    public void Dispose() => _net.Dispose();

    public static TheoryData<string> Scenarios() => ["v2", "v2-pass", "v3", "v3-fast", "v3-ipv6"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void We_accept_what_keepalived_sends(string scenario)
    {
        Scenario s = Scenario.Get(scenario);
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "k", s.Config(state: "MASTER", priority: 102, self: s.KeepalivedAddress, peer: s.OurAddress));
        using RawVrrpSocket socket = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(s.Family, s.OurAddress, null, TimeSpan.FromMilliseconds(200)));
        byte[] buffer = new byte[4096], source = new byte[16], destination = new byte[16];
        Stopwatch watch = Stopwatch.StartNew();
        int accepted = 0;
        while (accepted < 2 && watch.Elapsed < TimeSpan.FromSeconds(12))
        {
            if (!socket.TryReceive(buffer, source, destination, out RawReceive received))
            {
                continue;
            }

            VrrpParseStatus status = s.Family == AddressFamily.InterNetwork
                ? VrrpCodec.TryParseIPv4Packet(buffer.AsSpan(0, received.Length), out VrrpPacket packet)
                : VrrpCodec.TryParse(buffer.AsSpan(0, received.Length), source, destination, received.HopLimit, out packet);
            Assert.Equal(VrrpParseStatus.Success, status);
            Assert.Equal(s.KeepalivedAddress, packet.GetSource());
            Assert.Equal(s.OurAddress, packet.GetDestination());
            VrrpMessage message = packet.Message;
            Assert.Equal(s.Version, message.Version);
            Assert.Equal(47, message.VirtualRouterId);
            Assert.Equal(102, message.Priority);
            Assert.Equal(s.Interval, message.Interval);
            Assert.Equal(s.Vip, message.GetAddress(0));
            Assert.Equal(s.Family == AddressFamily.InterNetworkV6 ? 64 : 255, packet.TimeToLive); // keepalived's IPv6 unicast default is the kernel's 64
            Assert.Equal(s.Version == VrrpVersion.V2 ? VrrpChecksumMode.MessageOnly : VrrpChecksumMode.PseudoHeader, packet.ChecksumMode);
            Assert.Equal(VrrpParseStatus.Success, VrrpCodec.CheckAuthentication(message, s.AuthType, s.Auth));
            accepted++;
        }

        Assert.True(accepted == 2, $"received {accepted} adverts from keepalived in {watch.Elapsed}. Its log:\n{keepalived.Log}");
    }

    public static TheoryData<string, VrrpChecksumMode> SendScenarios() => new()
    {
        { "v2", VrrpChecksumMode.MessageOnly },
        { "v2-pass", VrrpChecksumMode.MessageOnly },
        { "v3", VrrpChecksumMode.PseudoHeader },
        { "v3", VrrpChecksumMode.PseudoHeaderVrrpMulticast },
        { "v3-fast", VrrpChecksumMode.PseudoHeader },
        { "v3-ipv6", VrrpChecksumMode.PseudoHeader },
    };

    [Theory]
    [MemberData(nameof(SendScenarios))]
    public void Keepalived_accepts_our_adverts_and_yields_to_a_higher_priority(string scenario, VrrpChecksumMode mode)
    {
        Scenario s = Scenario.Get(scenario);
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "k", s.Config(state: "MASTER", priority: 100, self: s.KeepalivedAddress, peer: s.OurAddress));
        keepalived.WaitFor("Entering MASTER STATE", TimeSpan.FromSeconds(10));
        int mastered = keepalived.Mark();
        using RawVrrpSocket socket = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(s.Family, s.OurAddress, null, TimeSpan.FromMilliseconds(100)));

        int sent = SendAdverts(socket, s, priority: 200, s.Auth, mode, until: () => keepalived.Logged("Entering BACKUP STATE", mastered));

        Assert.True(sent > 0);
        keepalived.WaitFor("Entering BACKUP STATE", TimeSpan.FromSeconds(1), mastered);
        Assert.Contains(keepalived.Lines.Skip(mastered), l => l.Line.Contains("higher priority 200", StringComparison.Ordinal));
        if (mode == VrrpChecksumMode.PseudoHeaderVrrpMulticast)
        {
            // keepalived auto-detects the pre-1.3.7 checksum and switches to it (its old_unicast_checksum).
            Assert.True(keepalived.Logged("Setting unicast VRRPv3 checksum to old version", mastered), keepalived.Log);
        }

        string[] complaints = [.. keepalived.Complaints().Where(l => !l.Contains("checksum to old version", StringComparison.Ordinal))];
        Assert.True(complaints.Length == 0, string.Join('\n', complaints));
    }

    [Fact]
    public void Keepalived_refuses_a_wrong_password_and_stays_master()
    {
        Scenario s = Scenario.Get("v2-pass");
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "k", s.Config(state: "MASTER", priority: 100, self: s.KeepalivedAddress, peer: s.OurAddress));
        keepalived.WaitFor("Entering MASTER STATE", TimeSpan.FromSeconds(10));
        int mastered = keepalived.Mark();
        using RawVrrpSocket socket = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(s.Family, s.OurAddress, null, TimeSpan.FromMilliseconds(100)));

        Assert.Equal(4, SendAdverts(socket, s, priority: 200, VrrpAuthenticationData.FromPassword("wrong"), VrrpChecksumMode.MessageOnly, until: () => false, count: 4));

        Assert.Contains(keepalived.Lines.Skip(mastered), l => l.Line.Contains("invalid passwd", StringComparison.OrdinalIgnoreCase));
        Assert.False(keepalived.Logged("Entering BACKUP STATE", mastered), keepalived.Log);
    }

    private static int SendAdverts(RawVrrpSocket socket, Scenario s, byte priority, VrrpAuthenticationData auth, VrrpChecksumMode mode, Func<bool> until, int count = 10)
    {
        VrrpAdvertisement advert = s.Version == VrrpVersion.V2
            ? VrrpAdvertisement.CreateV2(47, priority, (int)s.Interval.TotalSeconds, [s.Vip], s.AuthType, auth)
            : VrrpAdvertisement.CreateV3(47, priority, s.Interval, s.Family, [s.Vip]);
        byte[] message = RawSocketTests.Encode(advert, s.OurAddress, s.KeepalivedAddress, mode);

        // Bounded: at most `count` adverts, one interval apart.
        int sent = 0;
        for (; sent < count && !until(); sent++)
        {
            socket.Send(message, s.KeepalivedAddress, 255);
            Thread.Sleep(s.Interval);
        }

        return sent;
    }

    private sealed record Scenario(string Name, VrrpVersion Version, AddressFamily Family, TimeSpan Interval, string? Password)
    {
        public IPAddress KeepalivedAddress => Family == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.1") : IPAddress.Parse("2001:db8::1");

        public IPAddress OurAddress => Family == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.2") : IPAddress.Parse("2001:db8::2");

        public IPAddress Vip => Family == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.100") : IPAddress.Parse("2001:db8::100");

        public VrrpAuthType AuthType => Password is null ? VrrpAuthType.None : VrrpAuthType.SimplePassword;

        public VrrpAuthenticationData Auth => Password is null ? default : VrrpAuthenticationData.FromPassword(Password);

        public static Scenario Get(string name) => name switch
        {
            "v2" => new(name, VrrpVersion.V2, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1), null),
            "v2-pass" => new(name, VrrpVersion.V2, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1), "secret1"),
            "v3" => new(name, VrrpVersion.V3, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1), null),
            "v3-fast" => new(name, VrrpVersion.V3, AddressFamily.InterNetwork, TimeSpan.FromMilliseconds(100), null),
            "v3-ipv6" => new(name, VrrpVersion.V3, AddressFamily.InterNetworkV6, TimeSpan.FromMilliseconds(100), null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };

        public string Config(string state, int priority, IPAddress self, IPAddress peer)
        {
            string interval = Interval.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            string auth = Password is null ? "" : $"    authentication {{\n        auth_type PASS\n        auth_pass {Password}\n    }}\n";
            string vipPrefix = Family == AddressFamily.InterNetwork ? "24" : "64";
            return $$"""
                global_defs {
                    router_id lab
                    vrrp_version {{(int)Version}}
                    vrrp_garp_master_repeat 1
                    vrrp_garp_master_refresh 0
                }
                vrrp_instance VI_47 {
                    state {{state}}
                    interface veth1
                    virtual_router_id 47
                    priority {{priority}}
                    advert_int {{interval}}
                    unicast_src_ip {{self}}
                    unicast_peer {
                        {{peer}}
                    }
                {{auth}}    virtual_ipaddress {
                        {{Vip}}/{{vipPrefix}}
                    }
                }

                """;
        }
    }
}
