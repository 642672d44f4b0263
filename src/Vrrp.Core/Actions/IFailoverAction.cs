namespace Vrrp.Actions;

/// <summary>
/// Something to do when an instance changes state or a MASTER hears a lower-priority advertisement: run notify
/// scripts, add the virtual addresses, move a cloud address. Actions run one at a time in event order on a
/// <see cref="FailoverActionPipeline"/>, never on the router's thread, each awaited with a timeout.
/// </summary>
public interface IFailoverAction
{
    /// <summary>A short name for logs, statistics and the event stream; unique within a pipeline.</summary>
    string Name { get; }

    /// <summary>Handles one event. Honour <paramref name="cancellationToken"/>: it is cancelled at the action's timeout and when the pipeline stops.</summary>
    /// <param name="failoverEvent">The transition or lower-priority advertisement, in order.</param>
    /// <param name="cancellationToken">Cancelled at the timeout or when the pipeline stops without time left to drain.</param>
    /// <returns>A task that completes when the action is done; a fault or cancellation is counted as a failure or timeout.</returns>
    Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by an <see cref="IFailoverAction"/> that also wants the notification-only events
/// (<see cref="FailoverEvent.IsNotificationOnly"/>: priority changes, sync group transitions). Actions without it never
/// see them, so an action written for transitions cannot mistake a notification for a state change.
/// </summary>
public interface IFailoverEventFilter
{
    /// <summary>Whether the action wants notification-only events of <paramref name="kind"/>; asked for each such event.</summary>
    /// <param name="kind">The event kind.</param>
    /// <returns><see langword="true"/> to receive it.</returns>
    bool Accepts(FailoverEventKind kind);
}

/// <summary>An action made of a delegate: the simplest way to react to transitions from application code.</summary>
public sealed class DelegateFailoverAction : IFailoverAction
{
    private readonly Func<FailoverEvent, CancellationToken, Task> _handler;

    /// <summary>Creates an action that awaits <paramref name="handler"/> for every event.</summary>
    /// <param name="name">The action's name.</param>
    /// <param name="handler">The callback.</param>
    public DelegateFailoverAction(string name, Func<FailoverEvent, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        Name = name;
        _handler = handler;
    }

    /// <summary>Creates an action from a synchronous callback (it still runs on the pipeline, not on the router's thread).</summary>
    /// <param name="name">The action's name.</param>
    /// <param name="handler">The callback.</param>
    public DelegateFailoverAction(string name, Action<FailoverEvent> handler)
        : this(name, Wrap(handler))
    {
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken) => _handler(failoverEvent, cancellationToken);

    private static Func<FailoverEvent, CancellationToken, Task> Wrap(Action<FailoverEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (e, _) =>
        {
            handler(e);
            return Task.CompletedTask;
        };
    }
}

/// <summary>
/// The lanes of a <see cref="FailoverActionPipeline"/>: each runs its actions one event at a time, in order. The
/// <see cref="Address"/> lane goes first for each event; the others start it once the address lane is done with it,
/// and never wait for one another.
/// </summary>
public static class FailoverLanes
{
    /// <summary>Local virtual addresses and their gratuitous ARP / unsolicited NA (<see cref="LocalAddressAction"/>).</summary>
    public const string Address = "address";

    /// <summary>keepalived's notify scripts and notify FIFO.</summary>
    public const string Notify = "notify";

    /// <summary>Cloud address movers (Vrrp.Aws).</summary>
    public const string Cloud = "cloud";

    /// <summary>Actions that name no lane (the application's own).</summary>
    public const string Default = "default";
}

/// <summary>
/// Optionally implemented by an <see cref="IFailoverAction"/>: where and how long it runs when added to a
/// <see cref="FailoverActionPipeline"/> without an explicit lane or timeout.
/// </summary>
public interface IFailoverActionPolicy
{
    /// <summary>The lane (<see cref="FailoverLanes"/>, or a name of the application's).</summary>
    string Lane { get; }

    /// <summary>The timeout per event; <see langword="null"/>: the pipeline's default.</summary>
    TimeSpan? TimeoutPerEvent { get; }
}

/// <summary>Where an action of a pipeline runs: its lane and its timeout per event.</summary>
/// <param name="Name">The action's name.</param>
/// <param name="Lane">Its lane.</param>
/// <param name="Timeout">Its timeout per event.</param>
/// <param name="Kind">The action's type name.</param>
public sealed record FailoverActionPlacement(string Name, string Lane, TimeSpan Timeout, string Kind);
