using Vrrp.Packets;

namespace Vrrp.Routing;

/// <summary>
/// One instance's <c>auth_hmac</c> at run time: the resolved keys by id, the send sequence (signing happens once per
/// advert, for every peer) and each peer's replay mark. Verification is called under the router's lock, signing under
/// the node's send lock; each key serializes its own HMAC state.
/// </summary>
internal sealed class VrrpHmacState : IDisposable
{
    private readonly VrrpHmacKey?[] _keys = new VrrpHmacKey?[256];
    private readonly ulong[] _replayMarks;
    private readonly bool[] _replayValid;
    private readonly Lock _sendLock = new();
    private ulong _sendSequence;

    public VrrpHmacState(VrrpHmacOptions options, TimeSpan interval, int peerCount)
    {
        foreach (VrrpHmacKeyOptions key in options.Keys)
        {
            if (!key.TryResolve(out byte[]? material, out string? error))
            {
                throw new ArgumentException($"AuthHmac: {key}: {error}");
            }

            _keys[key.Id] = new VrrpHmacKey(key.Id, material);
            Array.Clear(material!);
        }

        ActiveKey = _keys[options.ActiveKey] ?? throw new ArgumentException($"AuthHmac.ActiveKey: {options.ActiveKey} is not one of the keys.");
        Mode = options.Mode;
        TimeMode = options.AntiReplay == VrrpHmacAntiReplay.Time;
        WindowSeconds = (int)options.GetTimeWindow(interval).TotalSeconds;
        _replayMarks = new ulong[peerCount];
        _replayValid = new bool[peerCount];
    }

    public VrrpHmacKey ActiveKey { get; }

    public VrrpHmacMode Mode { get; }

    public bool Signs => Mode != VrrpHmacMode.ReceiveOnly;

    public bool TimeMode { get; }

    public int WindowSeconds { get; }

    /// <summary>
    /// The next send sequence: the clock's, or the last one plus one when the clock has not moved past it; in time mode
    /// a sequence stranded beyond the window by a clock stepped back restarts from the clock.
    /// </summary>
    public ulong NextSequence(DateTimeOffset now)
    {
        ulong clock = VrrpHmac.SequenceAt(now);
        lock (_sendLock)
        {
            if (VrrpHmac.IsAfter(clock, _sendSequence))
            {
                _sendSequence = clock;
            }
            else
            {
                int ahead = (int)((uint)(_sendSequence >> 32) - (uint)(clock >> 32));
                _sendSequence = TimeMode && ahead > WindowSeconds ? clock : _sendSequence + 1;
            }

            return _sendSequence;
        }
    }

    /// <summary>keepalived's checks in its order: trailer present (unless a rollout mode), well formed, fresh, a known key, the MAC, a growing sequence.</summary>
    /// <returns>The drop reason, or null to go on.</returns>
    public VrrpDropReason? Check(in VrrpPacket packet, int peer, DateTimeOffset now)
    {
        if (!packet.HasTrailer)
        {
            return Mode == VrrpHmacMode.Enforce ? VrrpDropReason.AuthHmacMissing : null;
        }

        if (peer < 0)
        {
            // The replay mark lives with the configured peer: an unknown sender cannot be checked.
            return VrrpDropReason.SourceNotPeer;
        }

        ReadOnlySpan<byte> trailer = packet.Trailer;
        if (!VrrpHmac.IsWellFormed(trailer))
        {
            return VrrpDropReason.AuthHmacMalformed;
        }

        ulong sequence = VrrpHmac.GetSequence(trailer);
        uint seconds = (uint)now.ToUnixTimeSeconds();
        if (TimeMode && !Fresh(seconds, (uint)(sequence >> 32)))
        {
            // Before the MAC: a flood of stale captures costs no digest each.
            return VrrpDropReason.AuthHmacStale;
        }

        VrrpHmacKey? key = _keys[VrrpHmac.GetKeyId(trailer)];
        if (key is null)
        {
            return VrrpDropReason.AuthHmacUnknownKey;
        }

        if (!VrrpHmac.Verify(key, packet.Message.Bytes, packet.SourceAddress, trailer))
        {
            return VrrpDropReason.AuthHmacInvalid;
        }

        // A mark outside the window orders only what the window rejects anyway: expiring it lets a sender whose
        // clock was stepped back recover.
        if (_replayValid[peer] && TimeMode && !Fresh(seconds, (uint)(_replayMarks[peer] >> 32)))
        {
            _replayValid[peer] = false;
        }

        if (_replayValid[peer] && !VrrpHmac.IsAfter(sequence, _replayMarks[peer]))
        {
            return VrrpDropReason.AuthHmacReplay;
        }

        _replayValid[peer] = true;
        _replayMarks[peer] = sequence;
        return null;
    }

    public void Dispose()
    {
        foreach (VrrpHmacKey? key in _keys)
        {
            key?.Dispose();
        }
    }

    private bool Fresh(uint now, uint then)
    {
        int delta = (int)(now - then);
        return delta <= WindowSeconds && delta >= -WindowSeconds;
    }
}
