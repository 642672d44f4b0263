using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Transports;

namespace Vrrp.Tests.Simulation;

public class InMemoryNetworkTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    private static (FakeTimeProvider Time, InMemoryNetwork Net, InMemoryTransport TA, InMemoryTransport TB, List<(byte[] Data, byte Ttl)> Received) Create(int seed = 1)
    {
        FakeTimeProvider time = new();
        InMemoryNetwork net = new(time, seed);
        InMemoryTransport ta = net.AddNode(A);
        InMemoryTransport tb = net.AddNode(B);
        List<(byte[], byte)> received = [];
        tb.RegisterReceiver((in VrrpDatagram d) =>
        {
            Assert.Equal(A.GetAddressBytes(), d.SourceAddress.ToArray());
            Assert.Equal(B.GetAddressBytes(), d.DestinationAddress.ToArray());
            received.Add((d.Message.ToArray(), d.TimeToLive));
        });
        return (time, net, ta, tb, received);
    }

    [Fact]
    public void DeliveryIsNeverSynchronous()
    {
        var (time, _, ta, _, received) = Create();
        Assert.True(ta.Send([1, 2, 3], A, B, 255));
        Assert.Empty(received);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(received);
        Assert.Equal([1, 2, 3], received[0].Data);
    }

    [Fact]
    public void DelayAndHops()
    {
        var (time, net, ta, tb, received) = Create();
        net.SetLink(ta, tb, new InMemoryLink { Delay = TimeSpan.FromMilliseconds(50), Hops = 2 });
        ta.Send([1], A, B, 255);
        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Empty(received);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(253, received.Single().Ttl);
    }

    [Fact]
    public void PartitionIsDirectional()
    {
        var (time, net, ta, tb, received) = Create();
        List<byte[]> back = [];
        ta.RegisterReceiver((in VrrpDatagram d) => back.Add(d.Message.ToArray()));
        net.Partition(ta, tb);
        ta.Send([1], A, B, 255);
        tb.Send([2], B, A, 255);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(received);
        Assert.Single(back);
        net.HealAll();
        ta.Send([1], A, B, 255);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(received);
        Assert.Equal(1, net.MessagesDropped);
    }

    [Fact]
    public void LossAndDuplicationFollowTheSeed()
    {
        int Run(int seed)
        {
            var (time, net, ta, tb, received) = Create(seed);
            net.SetLink(ta, tb, new InMemoryLink { DropProbability = 0.3, DuplicateProbability = 0.2 });
            for (int i = 0; i < 1000; i++)
            {
                ta.Send([1], A, B, 255);
            }

            time.Advance(TimeSpan.FromSeconds(1));
            return received.Count;
        }

        int count = Run(7);
        Assert.Equal(count, Run(7));
        Assert.InRange(count, 700 * 1.1, 700 * 1.3); // 70 % pass, 20 % of those doubled
    }

    [Fact]
    public void CrashStopsSendingAndReceiving()
    {
        var (time, _, ta, tb, received) = Create();
        ta.Send([1], A, B, 255);
        tb.Crash();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(received); // in flight: lost
        Assert.False(tb.Send([1], B, A, 255));
        tb.Restart();
        ta.Send([1], A, B, 255);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(received);
        Assert.Equal(2, ta.MessagesSent);
        Assert.Equal(1, tb.MessagesReceived);
    }

    [Fact]
    public void UnregisteredReceiverGetsNothing()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork net = new(time);
        InMemoryTransport ta = net.AddNode(A);
        InMemoryTransport tb = net.AddNode(B);
        int count = 0;
        IDisposable registration = tb.RegisterReceiver((in VrrpDatagram _) => count++);
        registration.Dispose();
        ta.Send([1], A, B, 255);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, count);
        Assert.Throws<ArgumentException>(() => net.AddNode(A));
    }
}
