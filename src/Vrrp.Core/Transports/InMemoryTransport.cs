using System.Collections.Immutable;
using System.Net;

namespace Vrrp.Transports;

/// <summary>
/// One node's transport on an <see cref="InMemoryNetwork"/>. <see cref="Crash"/> makes it stop sending and
/// receiving at once, as a crashed host does (no priority-0 advertisement); <see cref="Restart"/> brings it back.
/// </summary>
public sealed class InMemoryTransport : IVrrpTransport
{
    private readonly Lock _lock = new();
    private ImmutableArray<VrrpDatagramHandler> _handlers = [];
    private volatile bool _crashed;
    private long _sent;
    private long _received;

    internal InMemoryTransport(InMemoryNetwork network, ImmutableArray<IPAddress> addresses)
    {
        Network = network;
        Addresses = addresses;
    }

    /// <summary>The network this node is attached to.</summary>
    public InMemoryNetwork Network { get; }

    /// <summary>The addresses this node owns; messages sent to them are delivered here.</summary>
    public ImmutableArray<IPAddress> Addresses { get; }

    /// <summary>Whether the node is crashed (sends fail, arrivals are lost).</summary>
    public bool IsCrashed => _crashed;

    /// <summary>Messages this node handed to the network.</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Messages delivered to this node's receivers.</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>Stops sending and receiving at once; messages in flight to this node are lost.</summary>
    public void Crash() => _crashed = true;

    /// <summary>Resumes sending and receiving after <see cref="Crash"/>.</summary>
    public void Restart() => _crashed = false;

    /// <inheritdoc/>
    public bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        return Network.Send(this, message, source, destination, timeToLive);
    }

    /// <inheritdoc/>
    public IDisposable RegisterReceiver(VrrpDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            _handlers = _handlers.Add(handler);
        }

        return new Registration(this, handler);
    }

    /// <summary>Detaches every receiver.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _handlers = [];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"InMemoryTransport({string.Join(",", Addresses)}{(_crashed ? ", crashed" : "")})";

    internal void CountSent() => _sent++;

    internal void Deliver(in VrrpDatagram datagram)
    {
        ImmutableArray<VrrpDatagramHandler> handlers = _handlers;
        Interlocked.Increment(ref _received);
        foreach (VrrpDatagramHandler handler in handlers)
        {
            handler(datagram);
        }
    }

    private void Unregister(VrrpDatagramHandler handler)
    {
        lock (_lock)
        {
            _handlers = _handlers.Remove(handler);
        }
    }

    private sealed class Registration(InMemoryTransport transport, VrrpDatagramHandler handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                transport.Unregister(handler);
            }
        }
    }
}
