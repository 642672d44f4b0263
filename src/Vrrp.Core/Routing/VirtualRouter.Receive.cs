using System.Net;
using Vrrp.Packets;

namespace Vrrp.Routing;

public sealed partial class VirtualRouter
{
    /// <summary>
    /// Handles one received advertisement already parsed and checksum-verified by
    /// <see cref="VrrpCodec.TryParse(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, byte, out VrrpPacket)"/>.
    /// Runs keepalived's receive checks in order (TTL window of the peer, version, VRID, VRRPv2 authentication,
    /// interval, source is a peer, address list); each failure is a counted drop, never an exception. Allocates
    /// nothing unless it raises an event.
    /// </summary>
    /// <param name="packet">The packet; read synchronously, no reference kept.</param>
    public void ReceiveAdvertisement(in VrrpPacket packet)
    {
        bool drain;
        lock (_lock)
        {
            _counters.AdvertRcvd++;
            VrrpDropReason? reason = Check(packet);
            if (reason is { } drop)
            {
                _counters.Drops[(int)drop]++;
                if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
                {
                    LogDrop(_logger, Name, drop);
                }

                return;
            }

            Process(packet);
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>Counts a message attributed to this instance (by its VRID byte) that the codec rejected.</summary>
    internal void CountParseFailure(VrrpParseStatus status)
    {
        lock (_lock)
        {
            _counters.AdvertRcvd++;
            _counters.ParseDrops[(int)status]++;
        }

        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            LogParseDrop(_logger, Name, status);
        }
    }

    private VrrpDropReason? Check(in VrrpPacket packet)
    {
        if (_state is VrrpState.Initialize or VrrpState.Stopped)
        {
            return VrrpDropReason.NotRunning;
        }

        ReadOnlySpan<byte> source = packet.SourceAddress;
        if (source.Length != _sourceBytes.Length)
        {
            return VrrpDropReason.AddressFamilyMismatch;
        }

        int peer = FindPeer(source);
        if (peer >= 0)
        {
            VrrpPeer config = _options.Peers[peer];
            if (packet.TimeToLive < config.MinTimeToLive || packet.TimeToLive > config.MaxTimeToLive)
            {
                return VrrpDropReason.TimeToLive;
            }
        }

        VrrpMessage message = packet.Message;
        if (message.Version != _options.Version)
        {
            return VrrpDropReason.VersionMismatch;
        }

        if (message.VirtualRouterId != _options.VirtualRouterId)
        {
            return VrrpDropReason.VirtualRouterIdMismatch;
        }

        // auth_hmac before any field can reach the state machine (keepalived's order).
        if (Hmac is null)
        {
            if (packet.HasTrailer)
            {
                return VrrpDropReason.AuthHmacUnexpected;
            }
        }
        else if (Hmac.Check(packet, peer, _time.GetUtcNow()) is { } hmacDrop)
        {
            return hmacDrop;
        }

        switch (VrrpCodec.CheckAuthentication(message, _options.AuthType, _authData))
        {
            case VrrpParseStatus.AuthTypeMismatch:
                return VrrpDropReason.AuthTypeMismatch;
            case VrrpParseStatus.AuthFailure:
                return VrrpDropReason.AuthFailure;
        }

        if (message.IntervalCentiseconds != _advert.IntervalCentiseconds)
        {
            if (_options.Version == VrrpVersion.V2)
            {
                return VrrpDropReason.IntervalMismatch;
            }

            _counters.IntervalMismatchIgnored++;
            if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                LogIntervalMismatch(_logger, Name, message.Interval, _options.AdvertisementInterval);
            }
        }

        if (peer < 0 && _options.CheckUnicastSource)
        {
            return VrrpDropReason.SourceNotPeer;
        }

        if (message.Priority != 0 && !SameAddressList(message))
        {
            _counters.AddrListErr++;
            if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                LogAddressListMismatch(_logger, Name);
            }
        }

        return null;
    }

    private void Process(in VrrpPacket packet)
    {
        VrrpMessage message = packet.Message;
        int priority = message.Priority;
        if (priority == 0)
        {
            _counters.PriZeroRcvd++;
        }

        switch (_state)
        {
            case VrrpState.Backup:
                if (priority == 0)
                {
                    // The master is leaving: take over after Skew_Time unless another master speaks first.
                    _masterLeft = true;
                    Arm(ComputeSkewTime());
                    return;
                }

                bool lower = priority < _effectivePriority;
                if (lower && _options.Preempt)
                {
                    _lowerMasterSeenAt ??= Now;
                }

                if (!lower || !PreemptAllowed())
                {
                    if (!lower)
                    {
                        _lowerMasterSeenAt = null;
                    }

                    if (_options.Version == VrrpVersion.V3)
                    {
                        _masterAdverInterval = message.Interval;
                    }

                    RememberMaster(packet.SourceAddress, priority);
                    _masterLeft = false;
                    Arm(ComputeMasterDownInterval());
                }

                // Otherwise discard: not resetting the down timer is how a higher-priority backup preempts.
                return;

            case VrrpState.Master:
                if (priority == 0)
                {
                    SendAdvertisement(_effectivePriority);
                    Arm(_options.AdvertisementInterval);
                    return;
                }

                if (priority > _effectivePriority || (priority == _effectivePriority && packet.SourceAddress.SequenceCompareTo(_sourceBytes) > 0))
                {
                    if (_options.Version == VrrpVersion.V3)
                    {
                        _masterAdverInterval = message.Interval;
                    }

                    if (_options.AnnounceOnHigherPriority)
                    {
                        SendAdvertisement(_effectivePriority);
                    }

                    RememberMaster(packet.SourceAddress, priority);
                    EnterBackup(VrrpTransitionReason.HigherPriorityAdvertisement);
                    return;
                }

                // A MASTER that hears a lower priority answers at once and re-asserts its addresses, but at most once
                // per max(interval, 1 s) each: a flood (spoofed, or a one-way partition at a fast interval) costs a
                // counter, not a process, a GARP burst or a cloud call per packet.
                if (_options.AnswerLowerPriorityAdvertisements)
                {
                    if (Allow(ref _lowerPriorityAnswerAt))
                    {
                        SendAdvertisement(_effectivePriority);
                    }
                    else
                    {
                        _counters.LowerPriorityAnswersSuppressed++;
                    }
                }

                if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
                {
                    LogLowerPriority(_logger, Name, priority);
                }

                if (Allow(ref _lowerPriorityEventAt))
                {
                    _outputs.Enqueue(new Output(OutputKind.LowerPriority, default, new VrrpLowerPriorityAdvertisement(Name, new IPAddress(packet.SourceAddress), priority, _effectivePriority)));
                }
                else
                {
                    _counters.LowerPriorityEventsSuppressed++;
                }

                return;

            default:
                // FAULT: adverts are counted but not acted upon.
                return;
        }
    }

    private bool PreemptAllowed()
    {
        if (!_options.Preempt)
        {
            return false;
        }

        TimeSpan delay = _options.PreemptDelay;
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        TimeSpan now = Now;
        return now >= _startedAt + delay && _lowerMasterSeenAt is { } seen && now >= seen + delay;
    }

    private void RememberMaster(ReadOnlySpan<byte> source, int priority)
    {
        if (_masterAddress is null || !source.SequenceEqual(_masterAddress))
        {
            _masterAddress = source.ToArray();
        }

        _masterPriority = priority;
    }

    private int FindPeer(ReadOnlySpan<byte> source)
    {
        byte[][] peers = _peerBytes;
        for (int i = 0; i < peers.Length; i++)
        {
            if (source.SequenceEqual(peers[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private bool SameAddressList(in VrrpMessage message)
    {
        if (message.AddressCount != _addressBytes.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> received = message.AddressBytes;
        int size = message.AddressSize;
        foreach (byte[] mine in _addressBytes)
        {
            bool found = false;
            for (int offset = 0; offset + size <= received.Length; offset += size)
            {
                if (received.Slice(offset, size).SequenceEqual(mine))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
