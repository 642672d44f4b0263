using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Tests.Simulation;

public class VrrpNodeTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    private static VirtualRouterOptions Options(string name, int vrid, IPAddress self, IPAddress peer, int priority) => new()
    {
        Name = name,
        VirtualRouterId = vrid,
        Priority = priority,
        UnicastSource = self,
        Peers = [new VrrpPeer(peer)],
    };

    [Fact]
    public void RoutersSharingATransportAreDemultiplexedByVrid()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork net = new(time);
        InMemoryTransport ta = net.AddNode(A);
        InMemoryTransport tb = net.AddNode(B);
        using VrrpNode na = new(ta, time);
        using VrrpNode nb = new(tb, time);
        VirtualRouter a1 = na.AddRouter(Options("a1", 1, A, B, 200));
        VirtualRouter a2 = na.AddRouter(Options("a2", 2, A, B, 50));
        VirtualRouter b1 = nb.AddRouter(Options("b1", 1, B, A, 100));
        VirtualRouter b2 = nb.AddRouter(Options("b2", 2, B, A, 150));
        na.Start();
        nb.Start();
        time.Run(TimeSpan.FromSeconds(10));
        Assert.Equal((VrrpState.Master, VrrpState.Backup), (a1.State, b1.State));
        Assert.Equal((VrrpState.Backup, VrrpState.Master), (a2.State, b2.State));
        Assert.Throws<ArgumentException>(() => na.AddRouter(Options("dup", 1, A, B, 10)));
    }

    [Fact]
    public void MalformedAndUnknownMessagesAreCounted()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork net = new(time);
        InMemoryTransport ta = net.AddNode(A);
        InMemoryTransport tb = net.AddNode(B);
        using VrrpNode nb = new(tb, time);
        VirtualRouter b1 = nb.AddRouter(Options("b1", 1, B, A, 100));
        nb.Start();
        byte[] buffer = new byte[64];
        VrrpCodec.TryWrite(VrrpAdvertisement.CreateV2(1, 100, 1, []), buffer, A, B, VrrpChecksumMode.MessageOnly, out int length);
        byte[] corrupt = buffer[..length];
        corrupt[7] ^= 0xFF;
        ta.Send(corrupt, A, B, 255);
        ta.Send(buffer.AsSpan(0, 3), A, B, 255);
        VrrpCodec.TryWrite(VrrpAdvertisement.CreateV2(9, 100, 1, []), buffer, A, B, VrrpChecksumMode.MessageOnly, out length);
        ta.Send(buffer.AsSpan(0, length), A, B, 255);
        ta.Send([0x21], A, B, 255);
        time.Advance(TimeSpan.FromMilliseconds(1));
        VrrpStatistics stats = b1.GetStatistics();
        Assert.Equal(1, stats.GetParseDrops(VrrpParseStatus.BadChecksum));
        Assert.Equal(1, stats.GetParseDrops(VrrpParseStatus.TooShort));
        Assert.Equal(1, nb.UnknownVirtualRouterDrops);
        Assert.Equal(1, nb.GetParseDrops(VrrpParseStatus.TooShort));
    }

    [Theory]
    [InlineData(VrrpVersion.V2, "10.0.0.1", "10.0.0.2", VrrpChecksumMode.PseudoHeader)]
    [InlineData(VrrpVersion.V3, "10.0.0.1", "10.0.0.2", VrrpChecksumMode.PseudoHeader)]
    [InlineData(VrrpVersion.V3, "10.0.0.1", "10.0.0.2", VrrpChecksumMode.PseudoHeaderVrrpMulticast)]
    [InlineData(VrrpVersion.V3, "10.0.0.1", "10.0.0.2", VrrpChecksumMode.MessageOnly)]
    [InlineData(VrrpVersion.V3, "fd00::1", "fd00::2", VrrpChecksumMode.PseudoHeader)]
    public void TwoNodesElectTheHigherPriorityOverEveryVariant(VrrpVersion version, string a, string b, VrrpChecksumMode mode)
    {
        FakeTimeProvider time = new();
        InMemoryNetwork net = new(time);
        IPAddress ipa = IPAddress.Parse(a);
        IPAddress ipb = IPAddress.Parse(b);
        using VrrpNode na = new(net.AddNode(ipa), time);
        using VrrpNode nb = new(net.AddNode(ipb), time);
        VirtualRouterOptions oa = Options("a", 7, ipa, ipb, 100);
        VirtualRouterOptions ob = Options("b", 7, ipb, ipa, 200);
        foreach (VirtualRouterOptions o in new[] { oa, ob })
        {
            o.Version = version;
            o.ChecksumMode = mode;
            o.AdvertisementInterval = version == VrrpVersion.V3 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);
        }

        VirtualRouter ra = na.AddRouter(oa);
        VirtualRouter rb = nb.AddRouter(ob);
        ra.Start();
        rb.Start();
        time.Run(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Backup, ra.State);
        Assert.Equal(VrrpState.Master, rb.State);
        Assert.Equal(0, ra.GetStatistics().TotalDropped);
        Assert.True(ra.GetStatistics().AdvertisementsReceived > 5);
    }
}
