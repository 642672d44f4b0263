using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Packets;
using Vrrp.Transports;
using Vrrp.Transports.Raw;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>Raw IP protocol 112 sockets between two namespaces: what each side sends and sees on the wire.</summary>
[Collection(NetnsCollection.Name)]
public sealed class RawSocketTests : IDisposable
{
    private static readonly IPAddress A4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B4 = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress A6 = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress B6 = IPAddress.Parse("2001:db8::2");
    private readonly TwoNodeLab _net = new();


    public void Dispose() => _net.Dispose();

    [Theory]
    [InlineData(255)]
    [InlineData(64)]
    public void An_IPv4_advert_arrives_with_source_destination_and_TTL(byte ttl)
    {
        using RawVrrpSocket sender = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, A4, null, TimeSpan.FromMilliseconds(200)));
        using RawVrrpSocket receiver = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, B4, null, TimeSpan.FromMilliseconds(200)));
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.100")]);
        byte[] message = Encode(advert, A4, B4, VrrpChecksumMode.PseudoHeader);

        sender.Send(message, B4, ttl);

        byte[] buffer = new byte[2048];
        Assert.True(ReceiveWithin(receiver, buffer, TimeSpan.FromSeconds(2), out RawReceive received), "nothing arrived");
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPv4Packet(buffer.AsSpan(received.Offset, received.Length), out VrrpPacket packet));
        Assert.Equal(advert, packet.Message.ToAdvertisement());
        Assert.Equal(A4, packet.GetSource());
        Assert.Equal(B4, packet.GetDestination());
        Assert.Equal(ttl, packet.TimeToLive);
        Assert.Equal(0xC0, buffer[received.Offset + 1]); // TOS as keepalived sends it
        Assert.Equal(VrrpChecksumMode.PseudoHeader, packet.ChecksumMode);
    }

    [Theory]
    [InlineData(255)]
    [InlineData(64)]
    public void An_IPv6_advert_arrives_with_source_destination_and_hop_limit_from_ancillary_data(byte hopLimit)
    {
        using RawVrrpSocket sender = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetworkV6, A6, null, TimeSpan.FromMilliseconds(200)));
        using RawVrrpSocket receiver = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetworkV6, B6, null, TimeSpan.FromMilliseconds(200)));
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetworkV6, [IPAddress.Parse("2001:db8::100")]);

        sender.Send(Encode(advert, A6, B6, VrrpChecksumMode.PseudoHeader), B6, hopLimit);

        byte[] buffer = new byte[2048];
        byte[] source = new byte[16], destination = new byte[16];
        Assert.True(ReceiveWithin(receiver, buffer, source, destination, TimeSpan.FromSeconds(2), out RawReceive received), "nothing arrived");
        Assert.Equal(A6, new IPAddress(source));
        Assert.True(received.HasDestination);
        Assert.Equal(B6, new IPAddress(destination));
        Assert.Equal(hopLimit, received.HopLimit);
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(buffer.AsSpan(received.Offset, received.Length), source, destination, received.HopLimit, out VrrpPacket packet));
        Assert.Equal(advert, packet.Message.ToAdvertisement());
    }

    [Fact]
    public void A_receive_with_nothing_to_read_waits_for_its_timeout_and_returns_false()
    {
        using RawVrrpSocket receiver = NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, B4, null, TimeSpan.FromMilliseconds(300)));
        Stopwatch watch = Stopwatch.StartNew();

        Assert.False(receiver.TryReceive(new byte[2048], new byte[16], new byte[16], out _));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Binding_to_an_address_the_namespace_lacks_is_a_clear_error()
    {
        var error = Assert.Throws<AggregateException>(() => NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, IPAddress.Parse("198.51.100.7"), null, TimeSpan.FromMilliseconds(100))));
        var inner = Assert.IsType<Vrrp.Transports.VrrpTransportException>(error.InnerException);
        Assert.Contains("198.51.100.7", inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_receive_reopens_the_socket_and_receiving_goes_on_and_when_it_cannot_the_transport_says_so()
    {
        using RawVrrpSocket sender = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, A4, null, TimeSpan.FromMilliseconds(200)));
        RawSocketTransport receiver = NetnsLab.InNamespace(_net.Node2, () =>
            RawSocketTransport.Open(new RawSocketTransportOptions { LocalAddress = B4, ReceivePollInterval = TimeSpan.FromMilliseconds(100) }));
        try
        {
            // The replacement is opened in the node's namespace, as the process itself would be in production.
            receiver.ReopenSocket = () => NetnsLab.InNamespace(_net.Node2, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, B4, null, TimeSpan.FromMilliseconds(100)));
            int received = 0;
            using IDisposable registration = receiver.RegisterReceiver((in VrrpDatagram _) => Interlocked.Increment(ref received));
            int failNext = 1;
            receiver.InjectReceiveFailure = () => Volatile.Read(ref failNext) == 1 && Interlocked.Exchange(ref failNext, 0) == 1;

            await WaitUntil(() => receiver.Reopens == 1, "the socket was not reopened");
            byte[] message = Encode(VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.100")]),
                A4, B4, VrrpChecksumMode.PseudoHeader);
            for (int i = 0; i < 50 && Volatile.Read(ref received) == 0; i++)
            {
                sender.Send(message, B4, 255);
                await Task.Delay(100);
            }

            Assert.True(Volatile.Read(ref received) > 0, "nothing was received on the reopened socket");
            Assert.Null(receiver.Fault);

            // Now the socket cannot be reopened: after the bounded attempts the transport reports its fault, once.
            receiver.ReopenSocket = () => throw new VrrpTransportException("reopening refused by the test");
            TaskCompletionSource<VrrpTransportException> faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
            receiver.Faulted += (_, e) => faulted.TrySetResult(e);
            Volatile.Write(ref failNext, 1);

            VrrpTransportException fault = await faulted.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Same(fault, receiver.Fault);
            Assert.Equal("The VRRP socket on 192.0.2.2 stopped receiving and could not be reopened (5 attempts): recvmsg on the VRRP socket failed: injected by a test.",
                fault.Message);
            Assert.Equal(1, receiver.Reopens);
        }
        finally
        {
            receiver.Dispose();
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), what);
    }

    internal static byte[] Encode(VrrpAdvertisement advert, IPAddress source, IPAddress destination, VrrpChecksumMode mode)
    {
        byte[] message = new byte[advert.MessageLength];
        Assert.True(VrrpCodec.TryWrite(advert, message, source, destination, mode, out _));
        return message;
    }

    internal static bool ReceiveWithin(RawVrrpSocket socket, byte[] buffer, TimeSpan timeout, out RawReceive received) =>
        ReceiveWithin(socket, buffer, new byte[16], new byte[16], timeout, out received);

    internal static bool ReceiveWithin(RawVrrpSocket socket, byte[] buffer, byte[] source, byte[] destination, TimeSpan timeout, out RawReceive received)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (socket.TryReceive(buffer, source, destination, out received))
            {
                return true;
            }
        }

        received = default;
        return false;
    }
}
