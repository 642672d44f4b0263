using System.Net.Sockets;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Packets;
using Vrrp.Transports.Raw;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>
/// Signed adverts (auth_hmac) between our host and keepalived 2.4.3, in namespaces: a wrong key is refused by both, a
/// captured advert replayed later is refused and counted, a key rotation and the receive-only → permissive → enforce
/// rollout across the running pair cause no transition.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class HmacInteropTests : IDisposable
{
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    /// <summary>keepalived 2.4.3's own signed adverts, off the wire: the trailer found, well formed, its MAC verified with the key, the sequence fresh and growing.</summary>
    [Theory]
    [InlineData("v2-hmac")]
    [InlineData("v3-hmac")]
    [InlineData("v3-ipv6-hmac")]
    public void We_verify_every_advert_keepalived_2_4_signs(string scenarioName)
    {
        LabScenario s = LabScenario.Get(scenarioName);
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"), Keepalived.Newest);
        keepalived.WaitFor("Entering MASTER STATE", Startup(s));
        Assert.True(new Vrrp.Routing.VrrpHmacKeyOptions { Id = 1, Key = LabScenario.Key1 }.TryResolve(out byte[]? material, out _));
        using VrrpHmacKey key = new(1, material);
        using RawVrrpSocket receiver = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(s.Family, s.Address(2), null, TimeSpan.FromMilliseconds(200)));
        byte[] buffer = new byte[2048];
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        List<ulong> sequences = [];
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (sequences.Count < 3 && DateTime.UtcNow < deadline)
        {
            if (!receiver.TryReceive(buffer, source, destination, out RawReceive received))
            {
                continue;
            }

            VrrpParseStatus status = s.IPv6
                ? VrrpCodec.TryParse(buffer.AsSpan(0, received.Length), source, received.HasDestination ? destination : s.Address(2).GetAddressBytes(), received.HopLimit, out VrrpPacket packet)
                : VrrpCodec.TryParseIPv4Packet(buffer.AsSpan(0, received.Length), out packet);
            Assert.Equal(VrrpParseStatus.Success, status);
            Assert.True(packet.HasTrailer, $"keepalived's advert has no trailer: {Convert.ToHexString(buffer.AsSpan(0, received.Length))}");
            Assert.True(VrrpHmac.IsWellFormed(packet.Trailer));
            Assert.Equal(1, VrrpHmac.GetKeyId(packet.Trailer));
            Assert.True(VrrpHmac.Verify(key, packet.Message.Bytes, packet.SourceAddress, packet.Trailer),
                $"keepalived's MAC does not verify: {Convert.ToHexString(packet.Message.Bytes)} {Convert.ToHexString(packet.Trailer)}");
            Assert.Equal(s.Version, (int)packet.Message.Version);
            sequences.Add(VrrpHmac.GetSequence(packet.Trailer));
        }

        Assert.True(sequences.Count == 3, $"{sequences.Count} signed adverts from keepalived in 15 s. Its log:\n{keepalived.Log}");
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => VrrpHmac.IsAfter(p.Second, p.First)), "keepalived's sequence did not grow");
        Assert.InRange((long)(sequences[^1] >> 32) - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), -5, 5);
    }

    [Theory]
    [InlineData("v2-hmac")]
    [InlineData("v3-hmac")]
    [InlineData("v3-ipv6-hmac")]
    public void A_wrong_key_is_refused_by_both_sides(string scenarioName)
    {
        LabScenario s = LabScenario.Get(scenarioName);
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"), Keepalived.Newest);
        keepalived.WaitFor("Entering MASTER STATE", Startup(s));
        VrrpHost ours = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2", hmac: LabScenario.HmacBlock(1, null, (1, LabScenario.Key2))));

        // Neither accepts the other's adverts: we drop keepalived's (bad MAC) and take over; keepalived logs ours.
        ours.WaitForState("MASTER", Startup(s) + s.MasterDownInterval(101));
        keepalived.WaitFor(l => l.Contains("invalid authentication HMAC", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "an invalid HMAC complaint");
        Poll.Until(() => ours.Log.Contains("AuthHmacInvalid", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "our drop of keepalived's adverts (bad MAC)", () => ours.Log);
    }

    /// <summary>The MASTER's advert, captured at the BACKUP and sent to it again a second later from the MASTER's address.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_captured_advert_replayed_later_is_refused_and_counted(bool weAreMaster)
    {
        LabScenario s = LabScenario.Get("v3-hmac");
        VrrpHost? ours;
        Keepalived keepalived;
        if (weAreMaster)
        {
            ours = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"));
            ours.WaitForState("MASTER", Startup(s));
            keepalived = Keepalived.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"), Keepalived.Newest);
            keepalived.WaitFor("Entering BACKUP STATE", Startup(s));
        }
        else
        {
            keepalived = Keepalived.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"), Keepalived.Newest);
            keepalived.WaitFor("Entering MASTER STATE", Startup(s));
            ours = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"));
            ours.WaitForState("BACKUP", Startup(s));
        }

        byte[] captured = CaptureAdvert(s);
        Assert.Equal(VrrpAdvertisement.GetMessageLength(VrrpVersion.V3, AddressFamily.InterNetwork, 1) + VrrpHmac.TrailerLength, captured.Length);
        Thread.Sleep(TimeSpan.FromSeconds(1));
        int mark = keepalived.Mark();

        using (RawVrrpSocket sender = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, s.Address(1), null, TimeSpan.FromMilliseconds(200))))
        {
            sender.Send(captured, s.Address(2), 255);
        }

        if (weAreMaster)
        {
            keepalived.WaitFor(l => l.Contains("replayed authentication trailer", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "a replay complaint", mark);
            Assert.False(keepalived.Logged("Entering MASTER STATE"), keepalived.Log);
        }
        else
        {
            Poll.Until(() => ours.Log.Contains("AuthHmacReplay", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "our replay drop", () => ours.Log);
            Assert.Equal("BACKUP", ours.State);
        }
    }

    /// <summary>keepalived's documented rotation, make before break, one node at a time: no transition anywhere.</summary>
    [Fact]
    public void A_key_rotation_across_the_pair_causes_no_transition()
    {
        LabScenario s = LabScenario.Get("v3-hmac");
        VrrpHost ours = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"));
        ours.WaitForState("MASTER", Startup(s));
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"), Keepalived.Newest);
        keepalived.WaitFor("Entering BACKUP STATE", Startup(s));
        int ourMark = ours.Mark();

        string[] steps =
        [
            LabScenario.HmacBlock(1, null, (1, LabScenario.Key1), (2, LabScenario.Key2)),
            LabScenario.HmacBlock(2, null, (1, LabScenario.Key1), (2, LabScenario.Key2)),
            LabScenario.HmacBlock(2, null, (2, LabScenario.Key2)),
        ];
        foreach (string step in steps)
        {
            ReloadBoth(s, ours, keepalived, step);
        }

        Thread.Sleep(s.MasterDownInterval(101) * 3);
        AssertNoTransition(ours, ourMark, keepalived);
    }

    /// <summary>keepalived's documented rollout on a running pair: receive-only, then permissive, then enforce, one node at a time.</summary>
    [Fact]
    public void The_receive_only_permissive_enforce_rollout_across_a_running_pair_causes_no_transition()
    {
        LabScenario s = LabScenario.Get("v3");
        VrrpHost ours = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"));
        ours.WaitForState("MASTER", Startup(s));
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"), Keepalived.Newest);
        keepalived.WaitFor("Entering BACKUP STATE", Startup(s));
        int ourMark = ours.Mark();

        foreach (string mode in new[] { "receive-only", "permissive", "enforce" })
        {
            ReloadBoth(s, ours, keepalived, LabScenario.HmacBlock(1, mode, (1, LabScenario.Key1)));
        }

        // Enforced both ways now: our signed adverts keep keepalived a BACKUP, and nothing of either was dropped.
        Thread.Sleep(s.MasterDownInterval(101) * 3);
        AssertNoTransition(ours, ourMark, keepalived);
        Assert.DoesNotContain("AuthHmac", ours.Log, StringComparison.Ordinal);
    }

    private void ReloadBoth(LabScenario s, VrrpHost ours, Keepalived keepalived, string hmac)
    {
        ours.Reload(s.Config("MASTER", 102, 1, 2, "veth1", hmac: hmac), TimeSpan.FromSeconds(15));
        Assert.Contains("is changed; reloading", ours.Log, StringComparison.Ordinal);
        Thread.Sleep(s.MasterDownInterval(101) * 2);
        int mark = keepalived.Mark();
        keepalived.Reload(s.Config("BACKUP", 101, 2, 1, "veth2", hmac: hmac));
        keepalived.WaitFor(l => l.Contains("Reload", StringComparison.OrdinalIgnoreCase) || l.Contains("reload", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "its reload", mark);
        Thread.Sleep(s.MasterDownInterval(101) * 2);
    }

    private static void AssertNoTransition(VrrpHost ours, int ourMark, Keepalived keepalived)
    {
        Assert.False(keepalived.Logged("Entering MASTER STATE"), $"keepalived took over:\n{keepalived.Log}\nours:\n{ours.Log}");
        Assert.DoesNotContain(ours.Transitions.Skip(ourMark), t => t.To != "MASTER");
        Assert.Equal("MASTER", ours.State);
        string[] complaints = [.. keepalived.Complaints()];
        Assert.True(complaints.Length == 0, "keepalived complained:\n" + string.Join('\n', complaints));
    }

    /// <summary>One advert from node 1 as it reaches node 2 (the VRRP message and its trailer, the IP header stripped).</summary>
    private byte[] CaptureAdvert(LabScenario s)
    {
        using RawVrrpSocket receiver = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, s.Address(2), null, TimeSpan.FromMilliseconds(200)));
        byte[] buffer = new byte[2048];
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (receiver.TryReceive(buffer, source, destination, out RawReceive received)
                && VrrpCodec.TryParseIPv4Header(buffer.AsSpan(received.Offset, received.Length), out int header, out int total) == VrrpParseStatus.Success
                && buffer.AsSpan(received.Offset + 12, 4).SequenceEqual(s.Address(1).GetAddressBytes()))
            {
                return buffer[(received.Offset + header)..(received.Offset + total)];
            }
        }

        Assert.Fail("no advert from node 1 arrived within 10 s");
        return [];
    }

    private static TimeSpan Startup(LabScenario s) => TimeSpan.FromSeconds(20) + s.MasterDownInterval(101);
}
