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
