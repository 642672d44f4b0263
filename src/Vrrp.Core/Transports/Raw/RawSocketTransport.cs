using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Packets;

namespace Vrrp.Transports.Raw;

/// <summary>Settings of a <see cref="RawSocketTransport"/>.</summary>
public sealed class RawSocketTransportOptions
{
    /// <summary>The local unicast address to bind to (keepalived <c>unicast_src_ip</c>); its family is the transport's.</summary>
    public IPAddress? LocalAddress { get; set; }

    /// <summary>Optional interface to bind to (SO_BINDTODEVICE, keepalived <c>interface</c>).</summary>
    public string? Interface { get; set; }

    /// <summary>How long one blocking receive waits before checking for shutdown. Default 250 ms.</summary>
    public TimeSpan ReceivePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// The real transport: a raw IP socket of protocol 112 bound to the unicast source address, one copy of each
/// advert per peer. IPv4 receive validates and strips the IP header the kernel delivers; IPv6 receive takes the
/// destination and hop limit from ancillary data. Packets that fail the IP-level checks are counted by reason
/// (<see cref="GetDrops"/>), never thrown. Linux only; needs root or CAP_NET_RAW, and says so at start-up.
/// </summary>
public sealed partial class RawSocketTransport : IVrrpTransport
{
    private const int BufferSize = 65536;

    /// <summary>How often a socket whose receive failed is reopened before the transport gives up.</summary>
    internal const int MaxReopenAttempts = 5;

    private readonly RawSocketTransportOptions _options;
    private volatile RawVrrpSocket _socket;
    private readonly ILogger _logger;
    private readonly Lock _handlersLock = new();
    private readonly long[] _drops = new long[Enum.GetValues<VrrpParseStatus>().Length];
    private readonly Thread _receiver;
    private readonly byte[] _localAddress;
    private VrrpDatagramHandler[] _handlers = [];
    private long _sendFailures;
    private long _truncated;
    private long _reopens;
    private volatile bool _disposed;
    private VrrpTransportException? _fault;

    private RawSocketTransport(RawSocketTransportOptions options, RawVrrpSocket socket, IPAddress localAddress, ILogger logger)
    {
        _options = options;
        _socket = socket;
        _logger = logger;
        LocalAddress = localAddress;
        _localAddress = localAddress.GetAddressBytes();
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = $"vrrp-raw-{localAddress}" };
    }

    /// <summary>The bound local address.</summary>
    public IPAddress LocalAddress { get; }

    /// <summary>Sends that the kernel refused (e.g. no route), counted.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Datagrams larger than the receive buffer, dropped and counted.</summary>
    public long TruncatedDrops => Interlocked.Read(ref _truncated);

    /// <summary>How often the socket was reopened after a receive failed (each is logged).</summary>
    public long Reopens => Interlocked.Read(ref _reopens);

    /// <inheritdoc/>
    public VrrpTransportException? Fault => Volatile.Read(ref _fault);

    /// <inheritdoc/>
    public event EventHandler<VrrpTransportException>? Faulted;

    /// <summary>Test seam: when set and returning true, the next receive fails as an unexpected recvmsg error would.</summary>
    internal Func<bool>? InjectReceiveFailure { get; set; }

    /// <summary>Test seam: opens the replacement socket (default: as <see cref="Open"/> did).</summary>
    internal Func<RawVrrpSocket>? ReopenSocket { get; set; }

    /// <summary>
    /// Opens the socket and starts receiving. Throws <see cref="VrrpTransportException"/> with a clear reason when it
    /// cannot (not Linux, no privilege, address not on this host).
    /// </summary>
    public static RawSocketTransport Open(RawSocketTransportOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPAddress local = options.LocalAddress ?? throw new ArgumentException("LocalAddress (the unicast source) is required.", nameof(options));
        RawVrrpSocket socket = RawVrrpSocket.Open(local.AddressFamily, local, options.Interface, options.ReceivePollInterval);
        RawSocketTransport transport = new(options, socket, local, logger ?? NullLogger.Instance);
        transport._receiver.Start();
        return transport;
    }

    /// <summary>IP-level drops by reason (bad IPv4 header, truncated, not protocol 112...).</summary>
    public long GetDrops(VrrpParseStatus reason) => (uint)reason < (uint)_drops.Length ? Interlocked.Read(ref _drops[(int)reason]) : 0;

    /// <inheritdoc/>
    public bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive)
    {
        if (_disposed)
        {
            return false;
        }

        try
        {
            _socket.Send(message, destination, timeToLive);
            return true;
        }
        catch (Exception e) when (e is SocketException or VrrpTransportException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendFailures);
            LogSendFailed(_logger, destination, e.Message);
            return false;
        }
    }

    /// <inheritdoc/>
    public IDisposable RegisterReceiver(VrrpDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersLock)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Registration(this, handler);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Thread.CurrentThread != _receiver)
        {
            _receiver.Join();
        }

        _socket.Dispose();
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[BufferSize];
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        while (!_disposed)
        {
            RawReceive received;
            try
            {
                if (InjectReceiveFailure?.Invoke() == true)
                {
                    throw new VrrpTransportException("recvmsg on the VRRP socket failed: injected by a test.");
                }

                if (!_socket.TryReceive(buffer, source, destination, out received))
                {
                    continue;
                }
            }
            catch (Exception e) when (e is VrrpTransportException or ObjectDisposedException or SocketException)
            {
                if (_disposed)
                {
                    return;
                }

                // An unexpected receive error must not leave a node that sends but no longer hears: reopen the socket
                // (a few times, backing off), and when that fails, say so to whoever runs the transport.
                LogReceiveFailed(_logger, LocalAddress, e.Message);
                if (!TryReopen())
                {
                    VrrpTransportException fault = new($"The VRRP socket on {LocalAddress} stopped receiving and could not be reopened ({MaxReopenAttempts} attempts): {e.Message}", e);
                    Volatile.Write(ref _fault, fault);
                    LogGaveUp(_logger, LocalAddress, MaxReopenAttempts);
                    Faulted?.Invoke(this, fault);
                    return;
                }

                continue;
            }

            if (received.Truncated)
            {
                Interlocked.Increment(ref _truncated);
                continue;
            }

            Deliver(buffer.AsSpan(received.Offset, received.Length), source, destination, received);
        }
    }

    private bool TryReopen()
    {
        for (int attempt = 1; attempt <= MaxReopenAttempts && !_disposed; attempt++)
        {
            // 50, 100, 200, 400, 800 ms: bounded, on this thread (nothing else is received meanwhile anyway).
            Thread.Sleep(TimeSpan.FromMilliseconds(50 << (attempt - 1)));
            try
            {
                RawVrrpSocket replacement = ReopenSocket?.Invoke()
                    ?? RawVrrpSocket.Open(LocalAddress.AddressFamily, LocalAddress, _options.Interface, _options.ReceivePollInterval);
                RawVrrpSocket old = _socket;
                _socket = replacement;
                old.Dispose();
                Interlocked.Increment(ref _reopens);
                LogReopened(_logger, LocalAddress, attempt);
                return true;
            }
            catch (Exception e) when (e is VrrpTransportException or SocketException)
            {
                LogReopenFailed(_logger, LocalAddress, attempt, e.Message);
            }
        }

        return false;
    }

    private void Deliver(ReadOnlySpan<byte> data, ReadOnlySpan<byte> source, Span<byte> destination, in RawReceive received)
    {
        VrrpDatagramHandler[] handlers = _handlers;
        if (_socket.AddressFamily == AddressFamily.InterNetwork)
        {
            // Validate the IPv4 header the kernel hands us and strip it; the VRRP checks are the node's.
            VrrpParseStatus status = VrrpCodec.TryParseIPv4Header(data, out int headerLength, out int totalLength);
            if (status != VrrpParseStatus.Success)
            {
                Interlocked.Increment(ref _drops[(int)status]);
                return;
            }

            VrrpDatagram datagram = new(data[headerLength..totalLength], data.Slice(12, 4), data.Slice(16, 4), data[8]);
            foreach (VrrpDatagramHandler handler in handlers)
            {
                Invoke(handler, datagram);
            }

            return;
        }

        if (!received.HasDestination)
        {
            _localAddress.CopyTo(destination);
        }

        VrrpDatagram datagram6 = new(data, source, destination, received.HopLimit);
        foreach (VrrpDatagramHandler handler in handlers)
        {
            Invoke(handler, datagram6);
        }
    }

    private void Invoke(VrrpDatagramHandler handler, in VrrpDatagram datagram)
    {
        try
        {
            handler(datagram);
        }
#pragma warning disable CA1031 // a handler's bug must not stop the receive loop; it is logged
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, e);
        }
    }

    private void Unregister(VrrpDatagramHandler handler)
    {
        lock (_handlersLock)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Sending a VRRP advert to {Destination} failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, IPAddress destination, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "The VRRP socket on {Address} failed to receive: {Reason}")]
    private static partial void LogReceiveFailed(ILogger logger, IPAddress address, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The VRRP socket on {Address} was reopened (attempt {Attempt})")]
    private static partial void LogReopened(ILogger logger, IPAddress address, int attempt);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Reopening the VRRP socket on {Address} failed (attempt {Attempt}): {Reason}")]
    private static partial void LogReopenFailed(ILogger logger, IPAddress address, int attempt, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Critical, Message = "The VRRP socket on {Address} could not be reopened after {Attempts} attempts: this node no longer hears its peers")]
    private static partial void LogGaveUp(ILogger logger, IPAddress address, int attempts);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "A VRRP receive handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    private sealed class Registration(RawSocketTransport transport, VrrpDatagramHandler handler) : IDisposable
    {
        public void Dispose() => transport.Unregister(handler);
    }
}
