using Vrrp.Routing;

namespace Vrrp.Actions;

/// <summary>What happened to an instance.</summary>
public enum FailoverEventKind
{
    /// <summary>The instance became MASTER: take the addresses.</summary>
    Master = 0,

    /// <summary>The instance became BACKUP: release the addresses.</summary>
    Backup = 1,

    /// <summary>The instance entered FAULT: release the addresses.</summary>
    Fault = 2,

    /// <summary>The instance stopped (keepalived STOP): release the addresses.</summary>
    Stop = 3,

    /// <summary>
    /// The instance is MASTER and heard a lower-priority advertisement (keepalived <c>notify_master_rx_lower_pri</c>):
    /// another node may briefly have taken the address; re-assert it.
    /// </summary>
    MasterHeardLowerPriority = 4,

    /// <summary>
    /// The instance's effective priority changed (keepalived <c>notify_priority_changes</c>; see
    /// <see cref="FailoverEvent.PriorityChange"/>). A notification only: delivered to the actions that ask for it
    /// (<see cref="IFailoverEventFilter"/>), never to the others.
    /// </summary>
    PriorityChanged = 5,

    /// <summary>
    /// A sync group changed state (see <see cref="FailoverEvent.SyncGroupTransition"/>; <see cref="FailoverEvent.InstanceName"/>
    /// is the group's name). A notification only: delivered to the actions that ask for it (<see cref="IFailoverEventFilter"/>).
    /// </summary>
    SyncGroupChanged = 6,
}

/// <summary>One event delivered to the actions of a <see cref="FailoverActionPipeline"/>.</summary>
/// <param name="Sequence">1, 2, 3... in the order the pipeline received the events (across all attached routers).</param>
/// <param name="Kind">What happened.</param>
/// <param name="InstanceName">The instance.</param>
/// <param name="EffectivePriority">The instance's effective priority at the time.</param>
/// <param name="Timestamp">When it happened (the router's clock for transitions, the pipeline's for lower-priority adverts).</param>
/// <param name="Transition">The transition, for <see cref="FailoverEventKind.Master"/>, <see cref="FailoverEventKind.Backup"/>, <see cref="FailoverEventKind.Fault"/> and <see cref="FailoverEventKind.Stop"/>.</param>
/// <param name="LowerPriorityAdvertisement">The advertisement heard, for <see cref="FailoverEventKind.MasterHeardLowerPriority"/>.</param>
public sealed record FailoverEvent(
    long Sequence,
    FailoverEventKind Kind,
    string InstanceName,
    int EffectivePriority,
    DateTimeOffset Timestamp,
    VrrpTransition? Transition,
    VrrpLowerPriorityAdvertisement? LowerPriorityAdvertisement)
{
    /// <summary>The priority change, for <see cref="FailoverEventKind.PriorityChanged"/>.</summary>
    public VrrpPriorityChange? PriorityChange { get; init; }

    /// <summary>The group's transition, for <see cref="FailoverEventKind.SyncGroupChanged"/>.</summary>
    public VrrpSyncGroupTransition? SyncGroupTransition { get; init; }

    /// <summary>
    /// Whether the instance had already left the state this event reports when the pipeline dispatched it: a later
    /// transition of the same instance was queued behind it (say MASTER, then BACKUP within milliseconds on a preemption
    /// at start-up). The event is still delivered — notify scripts run for every transition, as keepalived's do — but an
    /// action that claims a shared resource (adds addresses and sends gratuitous ARP, moves a cloud address) should not
    /// claim it for a MASTER that is already over: it would take the address away from the real MASTER.
    /// </summary>
    public bool IsSuperseded { get; init; }

    /// <summary>Whether only actions asking for it (<see cref="IFailoverEventFilter"/>) receive the event: priority changes and sync group transitions.</summary>
    public bool IsNotificationOnly => Kind is FailoverEventKind.PriorityChanged or FailoverEventKind.SyncGroupChanged;

    /// <summary>Whether the instance holds the addresses after this event (MASTER, or a MASTER re-asserting).</summary>
    public bool IsMaster => Kind is FailoverEventKind.Master or FailoverEventKind.MasterHeardLowerPriority;

    /// <summary>keepalived's state word: MASTER, BACKUP, FAULT, STOP, MASTER_RX_LOWER_PRI, MASTER_PRIORITY / BACKUP_PRIORITY
    /// (a priority change while MASTER / in any other state), or a sync group's new state.</summary>
    public string KeepalivedState => Kind switch
    {
        FailoverEventKind.Master => "MASTER",
        FailoverEventKind.Backup => "BACKUP",
        FailoverEventKind.Fault => "FAULT",
        FailoverEventKind.Stop => "STOP",
        FailoverEventKind.PriorityChanged => PriorityChange?.State == VrrpState.Master ? "MASTER_PRIORITY" : "BACKUP_PRIORITY",
        FailoverEventKind.SyncGroupChanged => StateWord(SyncGroupTransition?.NewState ?? VrrpState.Initialize),
        _ => "MASTER_RX_LOWER_PRI",
    };

    /// <summary>keepalived's word for a state: MASTER, BACKUP, FAULT, STOP ({UNKNOWN} for Initialize).</summary>
    /// <param name="state">The state.</param>
    public static string StateWord(VrrpState state) => state switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        VrrpState.Fault => "FAULT",
        VrrpState.Stopped => "STOP",
        _ => "{UNKNOWN}",
    };

    /// <summary>The event kind of a transition, or <see langword="null"/> for a state no action reacts to (Initialize).</summary>
    /// <param name="state">The state entered.</param>
    public static FailoverEventKind? KindOf(VrrpState state) => state switch
    {
        VrrpState.Master => FailoverEventKind.Master,
        VrrpState.Backup => FailoverEventKind.Backup,
        VrrpState.Fault => FailoverEventKind.Fault,
        VrrpState.Stopped => FailoverEventKind.Stop,
        _ => null,
    };

    /// <summary>Builds the event for a transition, or <see langword="null"/> for a state no action reacts to.</summary>
    /// <param name="sequence">The sequence number.</param>
    /// <param name="transition">The transition.</param>
    public static FailoverEvent? FromTransition(long sequence, VrrpTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return KindOf(transition.NewState) is { } kind
            ? new FailoverEvent(sequence, kind, transition.InstanceName, transition.EffectivePriority, transition.Timestamp, transition, null)
            : null;
    }

    /// <summary>Builds the event for a lower-priority advertisement heard by a MASTER.</summary>
    /// <param name="sequence">The sequence number.</param>
    /// <param name="advertisement">What was heard.</param>
    /// <param name="timestamp">When.</param>
    public static FailoverEvent FromLowerPriority(long sequence, VrrpLowerPriorityAdvertisement advertisement, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        return new FailoverEvent(sequence, FailoverEventKind.MasterHeardLowerPriority, advertisement.InstanceName, advertisement.EffectivePriority, timestamp, null, advertisement);
    }

    /// <summary>Builds the event for a priority change.</summary>
    /// <param name="sequence">The sequence number.</param>
    /// <param name="change">The change.</param>
    public static FailoverEvent FromPriorityChange(long sequence, VrrpPriorityChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new FailoverEvent(sequence, FailoverEventKind.PriorityChanged, change.InstanceName, change.NewPriority, change.Timestamp, null, null) { PriorityChange = change };
    }

    /// <summary>Builds the event for a sync group's transition (its <see cref="EffectivePriority"/> is 0, as keepalived reports for groups).</summary>
    /// <param name="sequence">The sequence number.</param>
    /// <param name="transition">The group's transition.</param>
    public static FailoverEvent FromSyncGroupTransition(long sequence, VrrpSyncGroupTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return new FailoverEvent(sequence, FailoverEventKind.SyncGroupChanged, transition.GroupName, 0, transition.Timestamp, null, null) { SyncGroupTransition = transition };
    }

    /// <inheritdoc/>
    public override string ToString() => SyncGroupTransition is not null
        ? $"#{Sequence} GROUP {InstanceName} {KeepalivedState}"
        : LowerPriorityAdvertisement is { } lower
        ? $"#{Sequence} {InstanceName} MASTER heard priority {lower.Priority} from {lower.Source}"
        : $"#{Sequence} {InstanceName} {KeepalivedState} {EffectivePriority} ({Transition?.Reason})";
}

/// <summary>How one action handled one event.</summary>
public enum FailoverActionResult
{
    /// <summary>Completed.</summary>
    Succeeded = 0,

    /// <summary>Threw or returned a faulted task.</summary>
    Failed = 1,

    /// <summary>Did not finish within its timeout: cancelled and, if it ignored cancellation, abandoned.</summary>
    TimedOut = 2,

    /// <summary>Not run or interrupted because the pipeline stopped and its drain time ran out.</summary>
    Cancelled = 3,
}

/// <summary>An entry of a pipeline's event stream (<see cref="FailoverActionPipeline.ReadEventsAsync"/>).</summary>
/// <param name="Event">The event concerned.</param>
public abstract record FailoverPipelineNotification(FailoverEvent Event);

/// <summary>The pipeline starts handing <paramref name="Event"/> to its actions (all earlier events are done).</summary>
/// <param name="Event">The event.</param>
public sealed record FailoverEventDispatched(FailoverEvent Event) : FailoverPipelineNotification(Event);

/// <summary>One action finished with one event.</summary>
/// <param name="Event">The event.</param>
/// <param name="ActionName">The action.</param>
/// <param name="Result">How it went.</param>
/// <param name="Duration">How long it ran (pipeline clock).</param>
/// <param name="Error">The exception, for <see cref="FailoverActionResult.Failed"/> and sometimes <see cref="FailoverActionResult.TimedOut"/>.</param>
public sealed record FailoverActionCompleted(FailoverEvent Event, string ActionName, FailoverActionResult Result, TimeSpan Duration, Exception? Error)
    : FailoverPipelineNotification(Event);

/// <summary>Counters of one action, for logs and metrics.</summary>
/// <param name="ActionName">The action.</param>
/// <param name="Runs">Events handed to it (finished runs).</param>
/// <param name="Succeeded">Runs that completed.</param>
/// <param name="Failures">Runs that threw.</param>
/// <param name="Timeouts">Runs cancelled at the timeout.</param>
/// <param name="Cancelled">Runs cancelled or skipped because the pipeline stopped.</param>
/// <param name="LastDuration">Duration of the last run, if any.</param>
/// <param name="LastResult">Result of the last run, if any.</param>
public sealed record FailoverActionStatistics(
    string ActionName,
    long Runs,
    long Succeeded,
    long Failures,
    long Timeouts,
    long Cancelled,
    TimeSpan? LastDuration,
    FailoverActionResult? LastResult);
