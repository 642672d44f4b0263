using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Packets;
using Vrrp.Transports;

namespace Vrrp.Routing;

/// <summary>
/// The runtime of one host: owns an <see cref="IVrrpTransport"/> and the <see cref="VirtualRouter"/>s sharing it.
/// Encodes each advertisement once per unicast peer with <see cref="VrrpCodec"/>, parses every received message with
/// <see cref="VrrpCodec.TryParse(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, byte, out VrrpPacket)"/>
/// and hands the zero-copy view to the router registered for its (address family, VRID). Parse failures are
/// counted per reason, on the instance when the VRID byte names one, else on the node.
/// </summary>
public sealed partial class VrrpNode : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Lock _sendLock = new();
    private readonly IVrrpTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly VirtualRouter?[] _ipv4 = new VirtualRouter?[256];
    private readonly VirtualRouter?[] _ipv6 = new VirtualRouter?[256];
    private readonly List<VirtualRouter> _routers = [];
    private readonly byte[] _sendBuffer = new byte[VrrpCodec.MaxMessageLength + VrrpHmac.TrailerLength];
    private readonly byte[] _trailer = new byte[VrrpHmac.TrailerLength];
    private readonly long[] _parseDrops = new long[VrrpStatistics.ParseStatusCount];
    private readonly IDisposable _registration;
    private long _unknownRouter;
    private bool _disposed;

    /// <summary>Creates a node on <paramref name="transport"/> and starts listening.</summary>
    /// <param name="transport">The transport shared by every instance of the node (the node does not own it: disposing the node leaves it open).</param>
    /// <param name="timeProvider">Clock and timers for the routers (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public VrrpNode(IVrrpTransport transport, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Vrrp.Routing.VrrpNode");
        _registration = transport.RegisterReceiver(OnDatagram);
    }

    /// <summary>Whether the public event subscribers of this node's instances get their own queues (the runtime's routers do).</summary>
    internal bool IsolateSubscribers { get; init; }

    /// <summary>The instances of this node.</summary>
    public IReadOnlyList<VirtualRouter> Routers { get { lock (_lock) { return [.. _routers]; } } }

    /// <summary>Messages no instance claimed (no router for their address family and VRID).</summary>
    public long UnknownVirtualRouterDrops => Interlocked.Read(ref _unknownRouter);

    /// <summary>Malformed messages not attributable to an instance, by codec status.</summary>
    public long GetParseDrops(VrrpParseStatus status) => (uint)status < (uint)_parseDrops.Length ? Interlocked.Read(ref _parseDrops[(int)status]) : 0;

    /// <summary>Creates an instance on this node (not started).</summary>
    /// <exception cref="ArgumentException">The options are invalid, or the node already has an instance with this family and VRID.</exception>
    public VirtualRouter AddRouter(VirtualRouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VirtualRouter?[] table = options.AddressFamily == AddressFamily.InterNetworkV6 ? _ipv6 : _ipv4;
            if (table[options.VirtualRouterId] is { } existing)
            {
                throw new ArgumentException($"{nameof(VirtualRouterOptions.VirtualRouterId)}: VRID {options.VirtualRouterId} is already used by instance '{existing.Name}' on this node.", nameof(options));
            }

            VirtualRouter router = new(options, _time, new PeerSender(this, options), _loggerFactory.CreateLogger("Vrrp.Routing.VirtualRouter"))
            {
                IsolateSubscribers = IsolateSubscribers,
            };
            table[options.VirtualRouterId] = router;
            _routers.Add(router);
            return router;
        }
    }

    /// <summary>Starts every instance not started yet.</summary>
    public void Start()
    {
        foreach (VirtualRouter router in Routers)
        {
            if (router.State == VrrpState.Initialize)
            {
                router.Start();
            }
        }
    }

    /// <summary>Shuts every instance down gracefully (MASTERs send priority 0).</summary>
    public void Shutdown()
    {
        foreach (VirtualRouter router in Routers)
        {
            router.Shutdown();
        }
    }

    /// <summary>Stops listening and disposes the instances abruptly (no priority-0 advertisement); call <see cref="Shutdown"/> first to leave gracefully.</summary>
    public void Dispose()
    {
        VirtualRouter[] routers;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            routers = [.. _routers];
            Array.Clear(_ipv4);
            Array.Clear(_ipv6);
        }

        _registration.Dispose();
        foreach (VirtualRouter router in routers)
        {
            router.Dispose();
        }
    }

    /// <summary>Handles one datagram from the transport: parse, demultiplex, hand to the router. Allocation-free.</summary>
    private void OnDatagram(in VrrpDatagram datagram)
    {
        VrrpParseStatus status = VrrpCodec.TryParse(datagram.Message, datagram.SourceAddress, datagram.DestinationAddress, datagram.TimeToLive, out VrrpPacket packet);
        VirtualRouter?[] table = datagram.SourceAddress.Length == 16 ? _ipv6 : _ipv4;
        if (status != VrrpParseStatus.Success)
        {
            if (datagram.Message.Length >= 2 && table[datagram.Message[1]] is { } owner)
            {
                owner.CountParseFailure(status);
            }
            else
            {
                Interlocked.Increment(ref _parseDrops[(int)status]);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    LogParseDrop(_logger, status);
                }
            }

            return;
        }

        VirtualRouter? router = table[packet.Message.VirtualRouterId];
        if (router is null)
        {
            Interlocked.Increment(ref _unknownRouter);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                LogUnknownRouter(_logger, packet.Message.VirtualRouterId);
            }

            return;
        }

        router.ReceiveAdvertisement(packet);
    }

    private void SendToPeers(VirtualRouter router, VirtualRouterOptions options, byte[] source, IPAddress[] peers, byte[][] peerBytes, in VrrpAdvertisement advertisement)
    {
        VrrpHmacState? hmac = router.Hmac is { Signs: true } signing ? signing : null;
        lock (_sendLock)
        {
            for (int i = 0; i < peers.Length; i++)
            {
                if (!VrrpCodec.TryWrite(advertisement, _sendBuffer, source, peerBytes[i], options.ChecksumMode, out int written))
                {
                    continue;
                }

                if (hmac is not null)
                {
                    // Signed once per advert: the MAC covers neither the destination nor the checksum.
                    if (i == 0)
                    {
                        VrrpHmac.Sign(hmac.ActiveKey, _sendBuffer.AsSpan(0, written), source, hmac.NextSequence(_time.GetUtcNow()), _trailer);
                    }

                    VrrpCodec.TryAppendTrailer(_sendBuffer, written, _trailer, source, peerBytes[i], out written);
                }

                if (!_transport.Send(_sendBuffer.AsSpan(0, written), options.UnicastSource!, peers[i], (byte)options.UnicastTimeToLive))
                {
                    LogSendFailed(_logger, options.Name, peers[i]);
                }
            }
        }
    }

    /// <summary>The per-instance sender: peers and source bytes computed once.</summary>
    private sealed class PeerSender(VrrpNode node, VirtualRouterOptions options) : IVrrpAdvertisementSender
    {
        private readonly VirtualRouterOptions _options = options.Clone();
        private readonly byte[] _source = options.UnicastSource!.GetAddressBytes();
        private readonly IPAddress[] _peers = [.. options.Peers.Select(p => p.Address!)];
        private readonly byte[][] _peerBytes = [.. options.Peers.Select(p => p.Address!.GetAddressBytes())];

        public void Send(VirtualRouter router, in VrrpAdvertisement advertisement) => node.SendToPeers(router, _options, _source, _peers, _peerBytes, advertisement);
    }
}
