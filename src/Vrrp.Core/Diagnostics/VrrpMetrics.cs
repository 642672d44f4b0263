using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Diagnostics;

/// <summary>
/// The <c>System.Diagnostics.Metrics</c> instruments of the library, on one <see cref="Meter"/> named
/// <see cref="MeterName"/> ("Vrrp"), so OpenTelemetry (<c>AddMeter("Vrrp")</c>), <c>dotnet-counters</c> and
/// <c>MetricCollector</c> pick them up with no extra code. Attach the routers to observe with
/// <see cref="Attach(VirtualRouter)"/> or <see cref="Attach(VrrpNode)"/>.
/// </summary>
/// <remarks>
/// Counters of advertisements and drops are observable instruments reading <see cref="VirtualRouter.GetStatistics"/>
/// snapshots when a collector asks, so the router's hot path is untouched. Transitions are counted from
/// <see cref="VirtualRouter.StateChanged"/>. Instruments, units and tags are listed in docs/operations.md.
/// </remarks>
public sealed class VrrpMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Vrrp";

    /// <summary>The tag naming the instance (keepalived <c>iname</c>).</summary>
    public const string InstanceTag = "vrrp.instance";

    /// <summary>The tag naming the state left by a transition.</summary>
    public const string FromStateTag = "vrrp.state.from";

    /// <summary>The tag naming the state entered by a transition.</summary>
    public const string ToStateTag = "vrrp.state.to";

    /// <summary>The tag naming why a message was dropped (snake_case: <c>time_to_live</c>, <c>auth_failure</c>, <c>parse_bad_checksum</c>, <c>unknown_vrid</c>, ...).</summary>
    public const string DropReasonTag = "vrrp.drop.reason";

    /// <summary>The tag naming a failover action.</summary>
    public const string ActionTag = "vrrp.action";

    /// <summary>The tag naming why <c>vrrp.events.suppressed</c> counted an event.</summary>
    public const string SuppressedReasonTag = "vrrp.suppressed.reason";

    /// <summary>The tag giving a failover action's outcome (e.g. <c>success</c>, <c>failure</c>, <c>timeout</c>).</summary>
    public const string OutcomeTag = "vrrp.action.outcome";

    private readonly Lock _lock = new();
    private readonly bool _ownsMeter;
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _actionDuration;
    private ImmutableArray<Attached> _routers = [];
    private ImmutableArray<VrrpNode> _nodes = [];
    private bool _disposed;

    /// <summary>Creates the instruments on a new meter, or on one from <paramref name="meterFactory"/> (dependency injection).</summary>
    /// <param name="meterFactory">The factory of the host's meters; <see langword="null"/> creates a meter owned (and disposed) by this object.</param>
    public VrrpMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);

        Meter.CreateObservableCounter("vrrp.adverts.sent", () => ObserveLong(static s => s.Statistics.AdvertisementsSent), "{advert}",
            "VRRP advertisements sent (keepalived advert_sent; one per advertisement, whatever the number of peers).");
        Meter.CreateObservableCounter("vrrp.adverts.received", () => ObserveLong(static s => s.Statistics.AdvertisementsReceived), "{advert}",
            "VRRP advertisements received by the instance, accepted or dropped (keepalived advert_rcvd).");
        Meter.CreateObservableCounter("vrrp.adverts.priority_zero.sent", () => ObserveLong(static s => s.Statistics.PriorityZeroSent), "{advert}",
            "Priority-0 advertisements sent when leaving MASTER (keepalived pri_zero_sent).");
        Meter.CreateObservableCounter("vrrp.adverts.priority_zero.received", () => ObserveLong(static s => s.Statistics.PriorityZeroReceived), "{advert}",
            "Priority-0 advertisements received (keepalived pri_zero_rcvd).");
        Meter.CreateObservableCounter("vrrp.adverts.dropped", ObserveDrops, "{advert}",
            "Messages dropped by the receive checks or the codec, by reason.");
        Meter.CreateObservableCounter("vrrp.events.suppressed", ObserveSuppressed, "{event}",
            "Events bounded away, by reason: lower_priority_event and lower_priority_answer (a MASTER raises or answers a lower priority at most once per max(interval, 1 s)), action_queue (the action pipeline coalesced or dropped it), subscriber (a blocked subscriber's queue was full). Transitions are never among them.");
        Meter.CreateObservableGauge("vrrp.state", () => ObserveInt(static s => VrrpStateCodes.ToKeepalivedCode(s.State)), "{state}",
            "The instance's state as keepalived numbers it: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.");
        Meter.CreateObservableGauge("vrrp.priority", () => ObserveInt(static s => s.EffectivePriority), "{priority}",
            "The effective priority after tracker weights (keepalived effective_priority).");
        _transitions = Meter.CreateCounter<long>("vrrp.transitions", "{transition}", "State changes of the instance.");
        _actionDuration = Meter.CreateHistogram("vrrp.action.duration", "s", "How long a failover action took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    /// <summary>The meter carrying every instrument.</summary>
    public Meter Meter { get; }

    /// <summary>Observes <paramref name="router"/> until <see cref="Detach(VirtualRouter)"/> or disposal. Attaching twice has no effect.</summary>
    public void Attach(VirtualRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_routers.Any(a => ReferenceEquals(a.Router, router)))
            {
                return;
            }

            Attached attached = new(this, router);
            router.StateChangedEvent.Add(attached.OnStateChanged, inline: true);
            _routers = _routers.Add(attached);
        }
    }

    /// <summary>Observes every instance of <paramref name="node"/> (those it has now) and its unattributed drops.</summary>
    public void Attach(VrrpNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_nodes.Contains(node))
            {
                _nodes = _nodes.Add(node);
            }
        }

        foreach (VirtualRouter router in node.Routers)
        {
            Attach(router);
        }
    }

    /// <summary>Stops observing <paramref name="router"/> (e.g. before replacing it with a restarted one).</summary>
    public void Detach(VirtualRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        lock (_lock)
        {
            Attached? attached = _routers.FirstOrDefault(a => ReferenceEquals(a.Router, router));
            if (attached is not null)
            {
                router.StateChangedEvent.Remove(attached.OnStateChanged);
                _routers = _routers.Remove(attached);
            }
        }
    }

    /// <summary>Stops observing <paramref name="node"/>'s unattributed drops and its instances.</summary>
    public void Detach(VrrpNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            _nodes = _nodes.Remove(node);
        }

        foreach (VirtualRouter router in node.Routers)
        {
            Detach(router);
        }
    }

    /// <summary>The time of the last transition seen of each attached instance, by instance name (for <see cref="VrrpSnapshot"/>).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> GetLastTransitions()
    {
        Dictionary<string, DateTimeOffset> map = new(StringComparer.Ordinal);
        foreach (Attached attached in _routers)
        {
            if (attached.LastTransition is { } at)
            {
                map[attached.Router.Name] = at;
            }
        }

        return map;
    }

    /// <summary>Records how long a failover action took (<c>vrrp.action.duration</c>, seconds).</summary>
    /// <param name="instance">The instance whose transition ran the action.</param>
    /// <param name="action">The action's name (e.g. <c>notify_master</c>, <c>elastic-ip</c>).</param>
    /// <param name="seconds">The duration in seconds.</param>
    /// <param name="outcome">The outcome: <c>success</c>, <c>failure</c>, <c>timeout</c> or <c>cancelled</c>.</param>
    public void RecordActionDuration(string instance, string action, double seconds, string outcome)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(outcome);
        _actionDuration.Record(seconds, new KeyValuePair<string, object?>(InstanceTag, instance), new KeyValuePair<string, object?>(ActionTag, action), new KeyValuePair<string, object?>(OutcomeTag, outcome));
    }

    /// <summary>Detaches every router; disposes the meter when this object created it.</summary>
    public void Dispose()
    {
        ImmutableArray<Attached> routers;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            routers = _routers;
            _routers = [];
            _nodes = [];
        }

        foreach (Attached attached in routers)
        {
            attached.Router.StateChangedEvent.Remove(attached.OnStateChanged);
        }

        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveLong(Func<Sample, long> select)
    {
        foreach (Attached attached in _routers)
        {
            yield return new(select(attached.Sample()), attached.Tag);
        }
    }

    private IEnumerable<Measurement<int>> ObserveInt(Func<Sample, int> select)
    {
        foreach (Attached attached in _routers)
        {
            yield return new(select(attached.Sample()), attached.Tag);
        }
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        foreach (Attached attached in _routers)
        {
            VrrpStatistics statistics = attached.Router.GetStatistics();
            foreach ((VrrpDropReason reason, string name) in DropReasonNames)
            {
                long count = statistics.GetDrops(reason);
                if (count != 0)
                {
                    yield return new(count, attached.Tag, new(DropReasonTag, name));
                }
            }

            foreach ((VrrpParseStatus status, string name) in ParseStatusNames)
            {
                long count = statistics.GetParseDrops(status);
                if (count != 0)
                {
                    yield return new(count, attached.Tag, new(DropReasonTag, name));
                }
            }
        }

        foreach (VrrpNode node in _nodes)
        {
            if (node.UnknownVirtualRouterDrops is var unknown and not 0)
            {
                yield return new(unknown, new KeyValuePair<string, object?>(DropReasonTag, "unknown_vrid"));
            }

            foreach ((VrrpParseStatus status, string name) in ParseStatusNames)
            {
                long count = node.GetParseDrops(status);
                if (count != 0)
                {
                    yield return new(count, new KeyValuePair<string, object?>(DropReasonTag, name));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveSuppressed()
    {
        foreach (Attached attached in _routers)
        {
            VrrpStatistics statistics = attached.Router.GetStatistics();
            yield return new(statistics.LowerPriorityEventsSuppressed, attached.Tag, new(SuppressedReasonTag, "lower_priority_event"));
            yield return new(statistics.LowerPriorityAnswersSuppressed, attached.Tag, new(SuppressedReasonTag, "lower_priority_answer"));
            yield return new(statistics.ActionEventsDropped, attached.Tag, new(SuppressedReasonTag, "action_queue"));
            yield return new(statistics.SubscriberEventsDropped, attached.Tag, new(SuppressedReasonTag, "subscriber"));
        }
    }

    private static readonly (VrrpDropReason Reason, string Name)[] DropReasonNames =
        [.. Enum.GetValues<VrrpDropReason>().Select(r => (r, SnakeCase.Convert(r.ToString())))];

    private static readonly (VrrpParseStatus Status, string Name)[] ParseStatusNames =
        [.. Enum.GetValues<VrrpParseStatus>().Where(s => s != VrrpParseStatus.Success).Select(s => (s, "parse_" + SnakeCase.Convert(s.ToString())))];

    private readonly record struct Sample(VrrpStatistics Statistics, VrrpState State, int EffectivePriority);

    private sealed class Attached(VrrpMetrics owner, VirtualRouter router)
    {
        public VirtualRouter Router { get; } = router;

        public KeyValuePair<string, object?> Tag { get; } = new(InstanceTag, router.Name);

        public DateTimeOffset? LastTransition { get; private set; }

        public Sample Sample() => new(Router.GetStatistics(), Router.State, Router.EffectivePriority);

        public void OnStateChanged(object? sender, VrrpTransition transition)
        {
            LastTransition = transition.Timestamp;
            owner._transitions.Add(1, Tag,
                new KeyValuePair<string, object?>(FromStateTag, VrrpStateCodes.ToKeepalivedName(transition.OldState)),
                new KeyValuePair<string, object?>(ToStateTag, VrrpStateCodes.ToKeepalivedName(transition.NewState)));
        }
    }
}
