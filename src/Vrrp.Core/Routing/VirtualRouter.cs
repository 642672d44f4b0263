using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Packets;

namespace Vrrp.Routing;

/// <summary>
/// One VRRP instance: the RFC 9568 state machine with keepalived's semantics (FAULT, trackers and weights,
/// nopreempt, preempt_delay, start-up wait of an initial MASTER, answers to lower priorities). Pure: no sockets and
/// no clock of its own; time and timers come from the injected <see cref="TimeProvider"/>, advertisements go to an
/// <see cref="IVrrpAdvertisementSender"/>, received ones come in through <see cref="ReceiveAdvertisement"/>.
/// </summary>
/// <remarks>
/// All logic runs under one lock per router. Outputs (sends, transitions, announcements, events, sync group
/// propagation) are queued under the lock and raised after it is released, one at a time and in order; a handler
/// that calls back into the router only queues more outputs, delivered after its own returns.
/// </remarks>
public sealed partial class VirtualRouter : IDisposable
{
    private static readonly TimeSpan Never = Timeout.InfiniteTimeSpan;

    private readonly Lock _lock = new();
    private readonly VirtualRouterOptions _options;
    private readonly TimeProvider _time;
    private readonly IVrrpAdvertisementSender? _sender;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly long _epoch;
    private readonly VrrpTrackerState[] _trackers;
    private readonly byte[] _sourceBytes;
    private readonly byte[][] _peerBytes;
    private readonly byte[][] _addressBytes;
    private readonly VrrpAuthenticationData _authData;
    private readonly ImmutableArray<IPAddress> _virtualAddresses;
    private readonly Queue<Output> _outputs = new();
    private VrrpStatistics.Counters _counters = VrrpStatistics.Counters.Create();
    private long _actionEventsDropped;

    private VrrpState _state = VrrpState.Initialize;
    private int _effectivePriority;
    private VrrpAdvertisement _advert;
    private TimeSpan _masterAdverInterval;
    private TimeSpan _deadline = Never;
    private bool _masterLeft;
    private TimeSpan _startedAt;
    private TimeSpan? _lowerMasterSeenAt;
    private TimeSpan? _lowerPriorityEventAt;
    private TimeSpan? _lowerPriorityAnswerAt;
    private bool _interfaceUp = true;
    private bool _syncGroupFault;
    private bool _draining;
    private byte[]? _masterAddress;
    private int _masterPriority;

    /// <summary>Creates a stopped instance; call <see cref="Start"/>.</summary>
    /// <param name="options">The configuration; validated and copied (later edits have no effect).</param>
    /// <param name="timeProvider">The clock and timers (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="sender">Where advertisements go; <see langword="null"/> drops them (e.g. a router observed only through events).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public VirtualRouter(VirtualRouterOptions options, TimeProvider? timeProvider = null, IVrrpAdvertisementSender? sender = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _sender = sender;
        _logger = logger ?? NullLogger.Instance;
        _epoch = _time.GetTimestamp();
        _trackers = [.. _options.Trackers.Select(t => new VrrpTrackerState(t))];
        _sourceBytes = _options.UnicastSource!.GetAddressBytes();
        _peerBytes = [.. _options.Peers.Select(p => p.Address!.GetAddressBytes())];
        _virtualAddresses = [.. _options.VirtualAddresses];
        _addressBytes = [.. _virtualAddresses.Select(a => a.GetAddressBytes())];
        _authData = _options.AuthType == VrrpAuthType.SimplePassword ? VrrpAuthenticationData.FromPassword(_options.AuthPassword!) : default;
        Hmac = _options.AuthHmac is { } hmac ? new VrrpHmacState(hmac, _options.AdvertisementInterval, _peerBytes.Length) : null;
        _effectivePriority = ComputeEffectivePriority();
        _advert = _options.Version == VrrpVersion.V2
            ? VrrpAdvertisement.CreateV2((byte)_options.VirtualRouterId, (byte)_effectivePriority, (int)_options.AdvertisementInterval.TotalSeconds, _virtualAddresses, _options.AuthType, _authData)
            : VrrpAdvertisement.CreateV3((byte)_options.VirtualRouterId, (byte)_effectivePriority, _options.AdvertisementInterval, _options.AddressFamily, _virtualAddresses);
        _masterAdverInterval = _options.AdvertisementInterval;
        _timer = _time.CreateTimer(static state => ((VirtualRouter)state!).OnTimer(), this, Never, Never);
    }

    /// <summary>
    /// Raised after every state change, in order, outside the router's lock. Each subscriber is called on its own: one
    /// that throws is logged and skips nobody; on a router run by a <c>VrrpRuntime</c> each subscriber has its own
    /// queue on the thread pool, so one that blocks delays neither the protocol nor the others.
    /// </summary>
    public event EventHandler<VrrpTransition>? StateChanged { add => StateChangedEvent.Add(value); remove => StateChangedEvent.Remove(value); }

    /// <summary>Raised when the instance becomes MASTER, to announce its virtual addresses (GARP / NA / cloud API); delivered as <see cref="StateChanged"/>.</summary>
    public event EventHandler<VrrpAddressAnnouncement>? AddressesAnnounced { add => AnnouncedEvent.Add(value); remove => AnnouncedEvent.Remove(value); }

    /// <summary>
    /// Raised when a MASTER hears a lower-priority advertisement (keepalived <c>notify_master_rx_lower_pri</c>), at most
    /// once per max(advertisement interval, 1 s): the rest are counted (<see cref="VrrpStatistics.LowerPriorityEventsSuppressed"/>).
    /// Delivered as <see cref="StateChanged"/>.
    /// </summary>
    public event EventHandler<VrrpLowerPriorityAdvertisement>? LowerPriorityAdvertisementReceived { add => LowerPriorityEvent.Add(value); remove => LowerPriorityEvent.Remove(value); }

    /// <summary>Raised, in order with the transitions and outside the router's lock, when the effective priority changes (keepalived <c>notify_priority_changes</c>); delivered as <see cref="StateChanged"/>.</summary>
    public event EventHandler<VrrpPriorityChange>? PriorityChanged { add => PriorityChangedEvent.Add(value); remove => PriorityChangedEvent.Remove(value); }

    internal RouterEvent<VrrpTransition> StateChangedEvent { get; } = new();

    internal RouterEvent<VrrpAddressAnnouncement> AnnouncedEvent { get; } = new();

    internal RouterEvent<VrrpLowerPriorityAdvertisement> LowerPriorityEvent { get; } = new();

    internal RouterEvent<VrrpPriorityChange> PriorityChangedEvent { get; } = new();

    /// <summary>Whether public subscribers get their own queues (set by the runtime before the router starts).</summary>
    internal bool IsolateSubscribers { get; set; }

    /// <summary>Events isolated subscribers did not get because their queue was full (they were blocked).</summary>
    internal long SubscriberEventsDropped => StateChangedEvent.Dropped + AnnouncedEvent.Dropped + LowerPriorityEvent.Dropped + PriorityChangedEvent.Dropped;

    /// <summary>The instance name.</summary>
    public string Name => _options.Name;

    /// <summary>A copy of the configuration in force.</summary>
    public VirtualRouterOptions Options => _options.Clone();

    /// <summary>The virtual router identifier.</summary>
    public byte VirtualRouterId => (byte)_options.VirtualRouterId;

    /// <summary>The unicast source (primary) address.</summary>
    public IPAddress UnicastSource => _options.UnicastSource!;

    /// <summary>The unicast peers.</summary>
    public IReadOnlyList<VrrpPeer> Peers => [.. _options.Peers.Select(p => new VrrpPeer(p.Address!, p.MinTimeToLive, p.MaxTimeToLive))];

    internal VirtualRouterOptions OptionsNoCopy => _options;

    /// <summary>The sync group the instance belongs to, if any.</summary>
    public VrrpSyncGroup? SyncGroup { get; internal set; }

    /// <summary>The current state.</summary>
    public VrrpState State { get { lock (_lock) { return _state; } } }

    /// <summary>The configured priority.</summary>
    public int BasePriority => _options.Priority;

    /// <summary>The priority after tracker weights (keepalived effective_priority), 1..254, or 255 for the owner.</summary>
    public int EffectivePriority { get { lock (_lock) { return _effectivePriority; } } }

    /// <summary>The master's advertisement interval (VRRPv3 learns it from the master; VRRPv2 uses ours).</summary>
    public TimeSpan MasterAdvertisementInterval { get { lock (_lock) { return _masterAdverInterval; } } }

    /// <summary>Skew_Time: v2 (256 − Priority)/256 s; v3 ((256 − Priority) × Master_Adver_Interval)/256.</summary>
    public TimeSpan SkewTime { get { lock (_lock) { return ComputeSkewTime(); } } }

    /// <summary>Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.</summary>
    public TimeSpan MasterDownInterval { get { lock (_lock) { return ComputeMasterDownInterval(); } } }

    /// <summary>The address of the master last heard while BACKUP (keepalived master_saddr), if any.</summary>
    public IPAddress? CurrentMaster { get { lock (_lock) { return _masterAddress is null ? null : new IPAddress(_masterAddress); } } }

    /// <summary>The priority the master last heard advertised (keepalived master_priority), 0 if none.</summary>
    public int CurrentMasterPriority { get { lock (_lock) { return _masterPriority; } } }

    /// <summary>The trackers' current rise/fall states.</summary>
    public IReadOnlyList<VrrpTrackerState> Trackers => _trackers;

    /// <summary>A consistent snapshot of the counters.</summary>
    public VrrpStatistics GetStatistics()
    {
        lock (_lock)
        {
            VrrpStatistics.Counters counters = _counters;
            counters.ActionEventsDropped = Interlocked.Read(ref _actionEventsDropped);
            counters.SubscriberEventsDropped = SubscriberEventsDropped;
            return new VrrpStatistics(counters);
        }
    }

    /// <summary>Counts an event of this instance the action pipeline did not queue (coalesced or over its bound).</summary>
    internal void CountActionEventDropped() => Interlocked.Increment(ref _actionEventsDropped);

    /// <summary>
    /// Starts the instance: FAULT if a fault condition holds; MASTER at once for the owner (255); else BACKUP with the
    /// Master_Down_Timer — for an initial state of MASTER (keepalived's <c>state MASTER</c>), one advertisement interval
    /// plus the smallest skew (1/256 s in v2, 1/256 of the interval in v3) instead.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        bool drain;
        lock (_lock)
        {
            if (_state != VrrpState.Initialize)
            {
                throw new InvalidOperationException($"VRRP instance '{Name}' was already started; create a new router to restart.");
            }

            _startedAt = Now;
            Enter(VrrpTransitionReason.Startup);
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>
    /// Starts the instance as MASTER at once (reason <see cref="VrrpTransitionReason.Reload"/>), without the
    /// Master_Down_Timer: for a router that takes over from one of the same instance that this process held MASTER
    /// with a moment ago and stopped without resigning — a configuration reload — so the peers see no gap and no
    /// failover. It sends its advertisement and announces its addresses as any new MASTER does; an advertisement with a
    /// higher priority sends it to BACKUP as usual. FAULT instead when a fault condition holds.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void StartResumingMaster()
    {
        bool drain;
        lock (_lock)
        {
            if (_state != VrrpState.Initialize)
            {
                throw new InvalidOperationException($"VRRP instance '{Name}' was already started; create a new router to restart.");
            }

            _startedAt = Now;
            if (_syncGroupFault || OwnFault)
            {
                Transition(VrrpState.Fault, FaultReason());
            }
            else
            {
                BecomeMaster(VrrpTransitionReason.Reload);
            }

            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>Graceful shutdown: a MASTER sends one advertisement with priority 0 (backups take over after Skew_Time), then the instance stops.</summary>
    public void Shutdown()
    {
        bool drain;
        lock (_lock)
        {
            if (_state == VrrpState.Stopped)
            {
                return;
            }

            if (_state == VrrpState.Master)
            {
                SendAdvertisement(0);
            }

            Disarm();
            Transition(VrrpState.Stopped, VrrpTransitionReason.Shutdown);
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>Reports one result of a tracked check; applies rise/fall, then the weight rules or FAULT.</summary>
    /// <param name="trackerName">A name from <see cref="VirtualRouterOptions.Trackers"/>.</param>
    /// <param name="success">Whether the check succeeded.</param>
    /// <exception cref="ArgumentException">No tracker has that name.</exception>
    public void ReportTrackerResult(string trackerName, bool success)
    {
        ArgumentNullException.ThrowIfNull(trackerName);
        VrrpTrackerState tracker = _trackers.FirstOrDefault(t => t.Options.Name == trackerName)
            ?? throw new ArgumentException($"VRRP instance '{Name}' has no tracker '{trackerName}'.", nameof(trackerName));
        bool drain;
        lock (_lock)
        {
            if (!tracker.Report(success))
            {
                return;
            }

            UpdatePriority();
            UpdateFault();
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>Reports the interface carrying the instance going up or down (down = FAULT).</summary>
    public void SetInterfaceState(bool up)
    {
        bool drain;
        lock (_lock)
        {
            if (_interfaceUp == up)
            {
                return;
            }

            _interfaceUp = up;
            UpdateFault();
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    /// <summary>Stops abruptly: no priority-0 advertisement, no event (as a crashed process). Use <see cref="Shutdown"/> to leave gracefully.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _state = VrrpState.Stopped;
            _deadline = Never;
            _outputs.Clear();
        }

        _timer.Dispose();
        Hmac?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} vrid {VirtualRouterId} {State} prio {EffectivePriority}";

    /// <summary>The instance's auth_hmac (keys, send sequence, replay marks), or null.</summary>
    internal VrrpHmacState? Hmac { get; }

    internal bool HasOwnFault
    {
        get { lock (_lock) { return OwnFault; } }
    }

    private bool OwnFault => !_interfaceUp || NoPeerFault || _trackers.Any(t => t.CausesFault);

    private bool NoPeerFault => _options.FaultWithoutPeers && _peerBytes.Length == 0;

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    internal void SetSyncGroupFault(bool fault)
    {
        bool drain;
        lock (_lock)
        {
            if (_syncGroupFault == fault)
            {
                return;
            }

            _syncGroupFault = fault;
            UpdateFault();
            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    internal void FollowSyncGroup(VrrpState target)
    {
        bool drain;
        lock (_lock)
        {
            if (target == VrrpState.Master && _state == VrrpState.Backup)
            {
                BecomeMaster(VrrpTransitionReason.SyncGroup);
            }
            else if (target == VrrpState.Backup && _state == VrrpState.Master)
            {
                EnterBackup(VrrpTransitionReason.SyncGroup);
            }

            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    private void OnTimer()
    {
        bool drain;
        lock (_lock)
        {
            if (_deadline == Never || _state is not (VrrpState.Master or VrrpState.Backup))
            {
                return;
            }

            TimeSpan now = Now;
            if (now < _deadline)
            {
                // A stale or early firing (the deadline moved): wait for the rest.
                _timer.Change(_deadline - now, Never);
                return;
            }

            TimeSpan scheduled = _deadline;
            _deadline = Never;
            if (_state == VrrpState.Master)
            {
                SendAdvertisement(_effectivePriority);

                // Keep the cadence: the next advert is due one interval after this one was due, not after the timer
                // happened to fire (timer latency would otherwise stretch every interval, ~2 % at 100 ms under load).
                // After a stall longer than an interval, start afresh from now rather than sending a burst.
                TimeSpan next = scheduled + _options.AdvertisementInterval;
                Arm(next > now ? next - now : _options.AdvertisementInterval);
            }
            else
            {
                BecomeMaster(_masterLeft ? VrrpTransitionReason.MasterLeft : VrrpTransitionReason.MasterDown);
            }

            drain = TryBeginDrain();
        }

        if (drain)
        {
            Drain();
        }
    }

    private void Enter(VrrpTransitionReason reason)
    {
        if (_syncGroupFault || OwnFault)
        {
            Transition(VrrpState.Fault, FaultReason());
        }
        else if (_options.Priority == 255)
        {
            BecomeMaster(reason == VrrpTransitionReason.Startup ? VrrpTransitionReason.AddressOwner : reason);
        }
        else if (_options.InitialState == VrrpInitialState.Master)
        {
            // keepalived's `state MASTER` below 255, at start-up and when a fault clears: BACKUP, but it takes over
            // after one advertisement interval plus the smallest skew unless a master speaks first.
            _masterAdverInterval = _options.AdvertisementInterval;
            EnterBackup(reason, _masterAdverInterval + ComputeSkewTime(1));
        }
        else
        {
            EnterBackup(reason);
        }
    }

    private VrrpTransitionReason FaultReason() =>
        !_interfaceUp ? VrrpTransitionReason.InterfaceDown
        : NoPeerFault ? VrrpTransitionReason.NoPeers
        : _trackers.Any(t => t.CausesFault) ? VrrpTransitionReason.TrackerFault
        : VrrpTransitionReason.SyncGroup;

    private void BecomeMaster(VrrpTransitionReason reason)
    {
        _masterAdverInterval = _options.AdvertisementInterval;
        _masterLeft = false;
        _lowerMasterSeenAt = null;
        _masterAddress = null;
        _masterPriority = 0;
        SendAdvertisement(_effectivePriority);
        _outputs.Enqueue(new Output(OutputKind.Announce, default, new VrrpAddressAnnouncement(Name, _virtualAddresses)));
        Transition(VrrpState.Master, reason);
        Arm(_options.AdvertisementInterval);
    }

    private void EnterBackup(VrrpTransitionReason reason, TimeSpan? masterDownWait = null)
    {
        _masterLeft = false;
        _lowerMasterSeenAt = null;
        Transition(VrrpState.Backup, reason);
        Arm(masterDownWait ?? ComputeMasterDownInterval());
    }

    private void Transition(VrrpState newState, VrrpTransitionReason reason)
    {
        VrrpState old = _state;
        if (old == newState)
        {
            return;
        }

        _state = newState;
        if (newState == VrrpState.Master)
        {
            _counters.BecomeMaster++;
        }
        else if (old == VrrpState.Master)
        {
            _counters.ReleaseMaster++;
        }

        LogTransition(_logger, Name, old, newState, reason, _effectivePriority);
        _outputs.Enqueue(new Output(OutputKind.Transition, default, new VrrpTransition(Name, old, newState, reason, _effectivePriority, _time.GetUtcNow())));
    }

    private void SendAdvertisement(int priority)
    {
        _counters.AdvertSent++;
        if (priority == 0)
        {
            _counters.PriZeroSent++;
        }

        _outputs.Enqueue(new Output(OutputKind.Send, priority == _advert.Priority ? _advert : _advert.WithPriority((byte)priority), null));
    }

    private void UpdatePriority()
    {
        int priority = ComputeEffectivePriority();
        if (priority != _effectivePriority)
        {
            LogPriorityChanged(_logger, Name, _effectivePriority, priority);
            _outputs.Enqueue(new Output(OutputKind.PriorityChange, default, new VrrpPriorityChange(Name, _state, _effectivePriority, priority, _time.GetUtcNow())));
            _effectivePriority = priority;
            _advert = _advert.WithPriority((byte)priority);
        }
    }

    private int ComputeEffectivePriority()
    {
        if (_options.Priority == 255)
        {
            return 255;
        }

        int priority = _options.Priority;
        foreach (VrrpTrackerState tracker in _trackers)
        {
            priority += tracker.PriorityAdjustment;
        }

        return Math.Clamp(priority, 1, 254);
    }

    private void UpdateFault()
    {
        bool fault = _syncGroupFault || OwnFault;
        if (fault && _state is VrrpState.Master or VrrpState.Backup)
        {
            if (_state == VrrpState.Master && _interfaceUp)
            {
                // Leaving MASTER for FAULT with a working interface: tell the backups so they take over after Skew_Time.
                SendAdvertisement(0);
            }

            Disarm();
            Transition(VrrpState.Fault, FaultReason());
        }
        else if (!fault && _state == VrrpState.Fault)
        {
            Enter(VrrpTransitionReason.FaultCleared);
        }
    }

    private TimeSpan ComputeSkewTime() => ComputeSkewTime(256 - _effectivePriority);

    /// <summary>Skew_Time's formula with <paramref name="numerator"/> in place of 256 − Priority (1 gives keepalived's smallest skew).</summary>
    private TimeSpan ComputeSkewTime(long numerator)
    {
        return _options.Version == VrrpVersion.V2
            ? TimeSpan.FromTicks(numerator * TimeSpan.TicksPerSecond / 256)
            : TimeSpan.FromTicks(numerator * _masterAdverInterval.Ticks / 256);
    }

    /// <summary>The least time between two lower-priority events, and between two answers to them: max(interval, 1 s).</summary>
    private TimeSpan LowerPriorityWindow => _options.AdvertisementInterval > TimeSpan.FromSeconds(1) ? _options.AdvertisementInterval : TimeSpan.FromSeconds(1);

    /// <summary>Whether a rate-limited output last sent at <paramref name="last"/> may go now (and stamps it).</summary>
    private bool Allow(ref TimeSpan? last)
    {
        TimeSpan now = Now;
        if (last is { } at && now - at < LowerPriorityWindow)
        {
            return false;
        }

        last = now;
        return true;
    }

    private TimeSpan ComputeMasterDownInterval() => (3 * _masterAdverInterval) + ComputeSkewTime();

    private void Arm(TimeSpan due)
    {
        _deadline = Now + due;
        _timer.Change(due, Never);
    }

    private void Disarm()
    {
        _deadline = Never;
        _timer.Change(Never, Never);
    }

    private bool TryBeginDrain()
    {
        if (_draining || _outputs.Count == 0)
        {
            return false;
        }

        _draining = true;
        return true;
    }

    private void Drain()
    {
        while (true)
        {
            Output output;
            lock (_lock)
            {
                if (!_outputs.TryDequeue(out output))
                {
                    _draining = false;
                    return;
                }
            }

            try
            {
                Dispatch(output);
            }
            catch (Exception exception)
            {
                LogHandlerFailed(_logger, Name, output.Kind.ToString(), exception);
            }
        }
    }

    private void Dispatch(in Output output)
    {
        switch (output.Kind)
        {
            case OutputKind.Send:
                _sender?.Send(this, output.Advertisement);
                break;
            case OutputKind.Transition:
                VrrpTransition transition = (VrrpTransition)output.Payload!;
                StateChangedEvent.Raise(this, transition, IsolateSubscribers, _logger, Name);
                if (transition.Reason != VrrpTransitionReason.SyncGroup)
                {
                    SyncGroup?.OnMemberTransition(this, transition);
                }

                SyncGroup?.OnMemberStateChanged(transition.Timestamp);

                break;
            case OutputKind.Announce:
                AnnouncedEvent.Raise(this, (VrrpAddressAnnouncement)output.Payload!, IsolateSubscribers, _logger, Name);
                break;
            case OutputKind.LowerPriority:
                LowerPriorityEvent.Raise(this, (VrrpLowerPriorityAdvertisement)output.Payload!, IsolateSubscribers, _logger, Name);
                break;
            case OutputKind.PriorityChange:
                PriorityChangedEvent.Raise(this, (VrrpPriorityChange)output.Payload!, IsolateSubscribers, _logger, Name);
                break;
        }
    }

    private enum OutputKind
    {
        Send,
        Transition,
        Announce,
        LowerPriority,
        PriorityChange,
    }

    private readonly record struct Output(OutputKind Kind, VrrpAdvertisement Advertisement, object? Payload);
}
