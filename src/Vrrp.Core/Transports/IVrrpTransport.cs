using System.Net;

namespace Vrrp.Transports;

/// <summary>
/// Sends and receives VRRP messages (the IP payload of protocol 112 packets). Implemented by raw IP sockets and
/// by <see cref="InMemoryNetwork"/>; a <see cref="Routing.VrrpNode"/> owns one and shares it among its routers.
/// </summary>
/// <remarks>
/// Receiving is push: the transport calls every registered <see cref="VrrpDatagramHandler"/> with a view of the
/// datagram that is valid only for the duration of the call. Handlers are called one at a time.
/// </remarks>
public interface IVrrpTransport : IDisposable
{
    /// <summary>Sends one VRRP message as the payload of an IP packet.</summary>
    /// <param name="message">The encoded VRRP message (no IP header).</param>
    /// <param name="source">The IP source address (the instance's unicast source).</param>
    /// <param name="destination">The IP destination address (one unicast peer).</param>
    /// <param name="timeToLive">The IPv4 TTL or IPv6 hop limit to send with (255 by default in VRRP).</param>
    /// <returns><see langword="true"/> when the packet was handed to the network; <see langword="false"/> when it could not be sent.</returns>
    bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive);

    /// <summary>Registers a handler called for every message received; dispose the result to unregister.</summary>
    /// <param name="handler">Called with each received datagram; must not keep references to its spans.</param>
    IDisposable RegisterReceiver(VrrpDatagramHandler handler);

    /// <summary>Why the transport can no longer receive, once it cannot; <see langword="null"/> while it works.</summary>
    VrrpTransportException? Fault => null;

    /// <summary>
    /// Raised once, on the transport's own thread, when it can no longer receive and could not recover (the raw
    /// socket reopens itself first). A node that sends but does not hear its peers must stop: the runtime stops.
    /// </summary>
    event EventHandler<VrrpTransportException>? Faulted
    {
        add { }
        remove { }
    }
}

/// <summary>Receives one datagram from an <see cref="IVrrpTransport"/>; the view is valid only during the call.</summary>
/// <param name="datagram">The received VRRP message and its IP facts.</param>
public delegate void VrrpDatagramHandler(in VrrpDatagram datagram);

/// <summary>
/// A received VRRP message with the IP facts a receiver needs: source and destination address bytes (4 or 16)
/// and the TTL or hop limit it arrived with. A zero-copy view over the transport's buffer.
/// </summary>
public readonly ref struct VrrpDatagram
{
    /// <summary>Creates a view of a received datagram.</summary>
    /// <param name="message">The VRRP message (the IP payload; an IPv4 transport strips the header).</param>
    /// <param name="sourceAddress">The IP source address bytes.</param>
    /// <param name="destinationAddress">The IP destination address bytes.</param>
    /// <param name="timeToLive">The IPv4 TTL or IPv6 hop limit on arrival.</param>
    public VrrpDatagram(ReadOnlySpan<byte> message, ReadOnlySpan<byte> sourceAddress, ReadOnlySpan<byte> destinationAddress, byte timeToLive)
    {
        Message = message;
        SourceAddress = sourceAddress;
        DestinationAddress = destinationAddress;
        TimeToLive = timeToLive;
    }

    /// <summary>The VRRP message bytes.</summary>
    public ReadOnlySpan<byte> Message { get; }

    /// <summary>The IP source address bytes (4 for IPv4, 16 for IPv6).</summary>
    public ReadOnlySpan<byte> SourceAddress { get; }

    /// <summary>The IP destination address bytes (4 for IPv4, 16 for IPv6).</summary>
    public ReadOnlySpan<byte> DestinationAddress { get; }

    /// <summary>The IPv4 TTL or IPv6 hop limit the packet arrived with.</summary>
    public byte TimeToLive { get; }
}
