using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Routing;

namespace Vrrp.Actions;

/// <summary>
/// Runs failover actions for one or more <see cref="VirtualRouter"/>s: their events are queued from the routers'
/// event handlers (which only enqueue, so the protocol never waits for an action) to one serial executor that hands
/// every event, in the order received, to every action in the order added, awaiting each with its timeout.
/// </summary>
/// <remarks>
/// <para>Guarantees: every event is delivered exactly once to every action, in order, never coalesced (a burst
/// MASTER→BACKUP→MASTER runs three times); no two actions and no two events run at once — except an action that
/// ignores cancellation, which is abandoned after its timeout (plus a one-second grace) and may still be running while
/// later events proceed. A throwing, faulting or timed-out action is logged, counted in
/// <see cref="GetStatistics"/>, reported on <see cref="ReadEventsAsync"/>, and the next action runs.</para>
/// <para>Stopping (<see cref="StopAsync"/>, <see cref="DisposeAsync"/>) takes no new events, lets the queued ones run
/// for at most <see cref="FailoverActionPipelineOptions.DrainTimeout"/>, then cancels the running action and reports
/// the rest as <see cref="FailoverActionResult.Cancelled"/> without running them.</para>
/// </remarks>
public sealed partial class FailoverActionPipeline : IAsyncDisposable, IDisposable
{
    /// <summary>How long an action that was cancelled may take to return before it is abandoned.</summary>
    public static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Channel<FailoverEvent> _queue = Channel.CreateUnbounded<FailoverEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FailoverActionPipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly List<Channel<FailoverPipelineNotification>> _readers = [];
    private readonly List<Attachment> _attachments = [];
    private readonly List<GroupAttachment> _groupAttachments = [];
    private readonly Task _worker;
    private readonly Dictionary<string, long> _lastTransition = new(StringComparer.Ordinal);
    private ActionEntry[] _actions = [];
    private long _sequence;
    private long _pending;
    private long _rejected;
    private bool _stopping;

    /// <summary>Creates a pipeline with no actions and starts its executor; add actions with <see cref="Add"/>, routers with <see cref="Attach(VirtualRouter)"/>.</summary>
    /// <param name="options">Timeouts and the event stream's capacity (default: <see cref="FailoverActionPipelineOptions"/>'s defaults).</param>
    /// <param name="timeProvider">The clock for timeouts and durations (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public FailoverActionPipeline(FailoverActionPipelineOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = (options ?? new FailoverActionPipelineOptions()).Clone();
        _options.ThrowIfInvalid();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>The actions, in the order they run.</summary>
    public IReadOnlyList<IFailoverAction> Actions => [.. Volatile.Read(ref _actions).Select(a => a.Action)];

    /// <summary>Events received and not yet handled by every action (including the one running).</summary>
    public long PendingEvents => Interlocked.Read(ref _pending);

    /// <summary>Events that arrived after stopping began and were not delivered.</summary>
    public long RejectedEvents => Interlocked.Read(ref _rejected);

    /// <summary>Adds an action after the existing ones; it receives the events dispatched from now on.</summary>
    /// <param name="action">The action.</param>
    /// <param name="timeout">Its timeout per event (default <see cref="FailoverActionPipelineOptions.ActionTimeout"/>).</param>
    /// <returns>This pipeline.</returns>
    /// <exception cref="ArgumentException">Another action has the same name, or the timeout is not positive.</exception>
    public FailoverActionPipeline Add(IFailoverAction action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        TimeSpan effective = timeout ?? _options.ActionTimeout;
        if (effective <= TimeSpan.Zero && effective != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"timeout: must be positive (or infinite); got {effective}.", nameof(timeout));
        }

        lock (_lock)
        {
            if (_actions.Any(a => string.Equals(a.Action.Name, action.Name, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"An action named '{action.Name}' is already in the pipeline.", nameof(action));
            }

            _actions = [.. _actions, new ActionEntry(action, effective)];
        }

        return this;
    }

    /// <summary>Subscribes to a router's transitions and lower-priority advertisements; dispose the result to detach.</summary>
    /// <param name="router">The router.</param>
    /// <returns>The subscription.</returns>
    public IDisposable Attach(VirtualRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        Attachment attachment = new(this, router);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _attachments.Add(attachment);
        }

        router.StateChanged += attachment.OnTransition;
        router.LowerPriorityAdvertisementReceived += attachment.OnLowerPriority;
        router.PriorityChanged += attachment.OnPriorityChanged;
        return attachment;
    }

    /// <summary>
    /// Subscribes to a sync group's transitions (<see cref="FailoverEventKind.SyncGroupChanged"/>, for the actions that
    /// accept them: group notify scripts, the notify FIFO); dispose the result to detach. Attach the members too for
    /// their own transitions.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <returns>The subscription.</returns>
    public IDisposable Attach(VrrpSyncGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        GroupAttachment attachment = new(this, group);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _groupAttachments.Add(attachment);
        }

        group.StateChanged += attachment.OnTransition;
        return attachment;
    }

    /// <summary>
    /// Queues a priority change (as <see cref="Attach(VirtualRouter)"/> does) when some action accepts
    /// <see cref="FailoverEventKind.PriorityChanged"/>; returns at once.
    /// </summary>
    /// <param name="change">The change.</param>
    /// <returns>The event's sequence number; 0 when no action wants it or the pipeline is stopping.</returns>
    public long Post(VrrpPriorityChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return AnyAccepts(FailoverEventKind.PriorityChanged) ? Enqueue(sequence => FailoverEvent.FromPriorityChange(sequence, change)) : 0;
    }

    /// <summary>
    /// Queues a sync group's transition (as <see cref="Attach(VrrpSyncGroup)"/> does) when some action accepts
    /// <see cref="FailoverEventKind.SyncGroupChanged"/>; returns at once.
    /// </summary>
    /// <param name="transition">The group's transition.</param>
    /// <returns>The event's sequence number; 0 when no action wants it or the pipeline is stopping.</returns>
    public long Post(VrrpSyncGroupTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return AnyAccepts(FailoverEventKind.SyncGroupChanged) ? Enqueue(sequence => FailoverEvent.FromSyncGroupTransition(sequence, transition)) : 0;
    }

    /// <summary>Queues a transition (as <see cref="Attach(VirtualRouter)"/> does); returns at once.</summary>
    /// <param name="transition">The transition.</param>
    /// <returns>The event's sequence number; 0 when it was not queued (a state no action reacts to, or the pipeline is stopping).</returns>
    public long Post(VrrpTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return FailoverEvent.KindOf(transition.NewState) is null ? 0 : Enqueue(sequence => FailoverEvent.FromTransition(sequence, transition)!);
    }

    /// <summary>Queues a lower-priority advertisement heard by a MASTER (as <see cref="Attach(VirtualRouter)"/> does); returns at once.</summary>
    /// <param name="advertisement">What was heard.</param>
    /// <returns>The event's sequence number; 0 when the pipeline is stopping.</returns>
    public long Post(VrrpLowerPriorityAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        DateTimeOffset now = _time.GetUtcNow();
        return Enqueue(sequence => FailoverEvent.FromLowerPriority(sequence, advertisement, now));
    }

    /// <summary>
    /// The pipeline's event stream from now on: each event as it is dispatched, then each action's outcome, in order.
    /// Ends when the pipeline has stopped or <paramref name="cancellationToken"/> is cancelled. A reader that falls
    /// more than <see cref="FailoverActionPipelineOptions.EventStreamCapacity"/> entries behind loses the oldest.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The stream; the subscription starts at this call, not at the first <c>MoveNextAsync</c>.</returns>
    public IAsyncEnumerable<FailoverPipelineNotification> ReadEventsAsync(CancellationToken cancellationToken = default)
    {
        Channel<FailoverPipelineNotification> channel = Channel.CreateBounded<FailoverPipelineNotification>(new BoundedChannelOptions(_options.EventStreamCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        lock (_lock)
        {
            if (_worker.IsCompleted)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers.Add(channel);
            }
        }

        return ReadAsync(channel, cancellationToken);
    }

    /// <summary>Counters of every action, in pipeline order.</summary>
    public IReadOnlyList<FailoverActionStatistics> GetStatistics() => [.. Volatile.Read(ref _actions).Select(a => a.Snapshot())];

    /// <summary>
    /// Detaches the routers, takes no new events, waits up to <see cref="FailoverActionPipelineOptions.DrainTimeout"/>
    /// (or until <paramref name="cancellationToken"/>) for the queued ones, then cancels what is left.
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    /// <returns><see langword="true"/> when every queued event was handled by every action within the bound.</returns>
    public async Task<bool> StopAsync(CancellationToken cancellationToken = default)
    {
        BeginStop();
        bool drained;
        try
        {
            await _worker.WaitAsync(_options.DrainTimeout, _time, cancellationToken).ConfigureAwait(false);
            drained = !_abort.IsCancellationRequested;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            drained = false;
            LogDrainCut(_logger, PendingEvents);
        }

        if (!drained)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await _worker.ConfigureAwait(false);
        }

        return drained;
    }

    /// <summary>Stops as <see cref="StopAsync"/> does.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _abort.Dispose();
    }

    /// <summary>Stops without draining: the running action is cancelled and the queued events are reported as cancelled.</summary>
    public void Dispose()
    {
        BeginStop();
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed asynchronously.
        }
    }

    private void BeginStop()
    {
        Attachment[] attachments;
        GroupAttachment[] groupAttachments;
        lock (_lock)
        {
            _stopping = true;
            attachments = [.. _attachments];
            _attachments.Clear();
            groupAttachments = [.. _groupAttachments];
            _groupAttachments.Clear();
            _queue.Writer.TryComplete();
        }

        foreach (Attachment attachment in attachments)
        {
            attachment.Detach();
        }

        foreach (GroupAttachment attachment in groupAttachments)
        {
            attachment.Detach();
        }
    }

    private long Enqueue(Func<long, FailoverEvent> create)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                Interlocked.Increment(ref _rejected);
                LogRejected(_logger);
                return 0;
            }

            FailoverEvent failoverEvent = create(++_sequence);
            if (failoverEvent.Transition is not null)
            {
                _lastTransition[failoverEvent.InstanceName] = failoverEvent.Sequence;
            }

            Interlocked.Increment(ref _pending);
            _queue.Writer.TryWrite(failoverEvent);
            LogQueued(_logger, failoverEvent);
            return failoverEvent.Sequence;
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (FailoverEvent queued in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                FailoverEvent failoverEvent = queued;
                if (!queued.IsNotificationOnly && IsSuperseded(queued))
                {
                    failoverEvent = queued with { IsSuperseded = true };
                    LogSuperseded(_logger, failoverEvent);
                }

                Publish(new FailoverEventDispatched(failoverEvent));
                foreach (ActionEntry entry in Volatile.Read(ref _actions))
                {
                    if (failoverEvent.IsNotificationOnly && !Accepts(entry.Action, failoverEvent.Kind))
                    {
                        continue;
                    }

                    FailoverActionCompleted outcome = _abort.IsCancellationRequested
                        ? new FailoverActionCompleted(failoverEvent, entry.Action.Name, FailoverActionResult.Cancelled, TimeSpan.Zero, null)
                        : await RunAsync(entry, failoverEvent).ConfigureAwait(false);
                    entry.Record(outcome);
                    Publish(outcome);
                }

                Interlocked.Decrement(ref _pending);
            }
        }
        finally
        {
            lock (_lock)
            {
                foreach (Channel<FailoverPipelineNotification> reader in _readers)
                {
                    reader.Writer.TryComplete();
                }

                _readers.Clear();
            }
        }
    }

    private bool IsSuperseded(FailoverEvent failoverEvent)
    {
        lock (_lock)
        {
            return _lastTransition.TryGetValue(failoverEvent.InstanceName, out long last) && last > failoverEvent.Sequence;
        }
    }

    private static bool Accepts(IFailoverAction action, FailoverEventKind kind) => action is IFailoverEventFilter filter && filter.Accepts(kind);

    private bool AnyAccepts(FailoverEventKind kind) => Volatile.Read(ref _actions).Any(a => Accepts(a.Action, kind));

    private async Task<FailoverActionCompleted> RunAsync(ActionEntry entry, FailoverEvent failoverEvent)
    {
        string name = entry.Action.Name;
        long started = _time.GetTimestamp();
        using CancellationTokenSource timeout = entry.Timeout == Timeout.InfiniteTimeSpan ? new() : new(entry.Timeout, _time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _abort.Token);
        Task task = Task.Run(() => entry.Action.OnEventAsync(failoverEvent, linked.Token), CancellationToken.None);
        FailoverActionResult result;
        Exception? error = null;
        try
        {
            await task.WaitAsync(linked.Token).ConfigureAwait(false);
            result = FailoverActionResult.Succeeded;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            result = _abort.IsCancellationRequested ? FailoverActionResult.Cancelled : FailoverActionResult.TimedOut;
            if (!task.IsCompleted)
            {
                try
                {
                    await task.WaitAsync(CancellationGrace, _time).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    LogAbandoned(_logger, name, failoverEvent);
                    _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
#pragma warning disable CA1031 // the action's own failure after cancellation: already reported as timed out / cancelled
                catch (Exception late)
#pragma warning restore CA1031
                {
                    error = late is OperationCanceledException ? null : late;
                }
            }
            else if (task.IsFaulted)
            {
                error = task.Exception?.InnerException;
            }
        }
        catch (TimeoutException e)
        {
            result = FailoverActionResult.TimedOut;
            error = e;
        }
#pragma warning disable CA1031 // contained by design: a failing action must not stop the pipeline
        catch (Exception e)
#pragma warning restore CA1031
        {
            result = FailoverActionResult.Failed;
            error = e;
        }

        TimeSpan duration = _time.GetElapsedTime(started);
        switch (result)
        {
            case FailoverActionResult.Succeeded:
                LogSucceeded(_logger, name, failoverEvent, duration.TotalSeconds);
                break;
            case FailoverActionResult.Failed:
                LogFailed(_logger, name, failoverEvent, duration.TotalSeconds, error);
                break;
            case FailoverActionResult.TimedOut:
                LogTimedOut(_logger, name, failoverEvent, duration.TotalSeconds, error);
                break;
            default:
                LogCancelled(_logger, name, failoverEvent);
                break;
        }

        return new FailoverActionCompleted(failoverEvent, name, result, duration, error);
    }

    private void Publish(FailoverPipelineNotification notification)
    {
        lock (_lock)
        {
            foreach (Channel<FailoverPipelineNotification> reader in _readers)
            {
                reader.Writer.TryWrite(notification);
            }
        }
    }

    private async IAsyncEnumerable<FailoverPipelineNotification> ReadAsync(Channel<FailoverPipelineNotification> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out FailoverPipelineNotification? notification))
                {
                    yield return notification;
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _readers.Remove(channel);
            }
        }
    }

    private sealed class ActionEntry(IFailoverAction action, TimeSpan timeout)
    {
        private readonly Lock _lock = new();
        private long _runs;
        private long _succeeded;
        private long _failures;
        private long _timeouts;
        private long _cancelled;
        private TimeSpan? _lastDuration;
        private FailoverActionResult? _lastResult;

        public IFailoverAction Action { get; } = action;

        public TimeSpan Timeout { get; } = timeout;

        public void Record(FailoverActionCompleted outcome)
        {
            lock (_lock)
            {
                _runs++;
                _lastDuration = outcome.Duration;
                _lastResult = outcome.Result;
                switch (outcome.Result)
                {
                    case FailoverActionResult.Succeeded:
                        _succeeded++;
                        break;
                    case FailoverActionResult.Failed:
                        _failures++;
                        break;
                    case FailoverActionResult.TimedOut:
                        _timeouts++;
                        break;
                    default:
                        _cancelled++;
                        break;
                }
            }
        }

        public FailoverActionStatistics Snapshot()
        {
            lock (_lock)
            {
                return new FailoverActionStatistics(Action.Name, _runs, _succeeded, _failures, _timeouts, _cancelled, _lastDuration, _lastResult);
            }
        }
    }

    private sealed class Attachment(FailoverActionPipeline pipeline, VirtualRouter router) : IDisposable
    {
        private int _detached;

        public void OnTransition(object? sender, VrrpTransition transition) => pipeline.Post(transition);

        public void OnLowerPriority(object? sender, VrrpLowerPriorityAdvertisement advertisement) => pipeline.Post(advertisement);

        public void OnPriorityChanged(object? sender, VrrpPriorityChange change) => pipeline.Post(change);

        public void Detach()
        {
            if (Interlocked.Exchange(ref _detached, 1) == 0)
            {
                router.StateChanged -= OnTransition;
                router.LowerPriorityAdvertisementReceived -= OnLowerPriority;
                router.PriorityChanged -= OnPriorityChanged;
            }
        }

        public void Dispose()
        {
            lock (pipeline._lock)
            {
                pipeline._attachments.Remove(this);
            }

            Detach();
        }
    }

    private sealed class GroupAttachment(FailoverActionPipeline pipeline, VrrpSyncGroup group) : IDisposable
    {
        private int _detached;

        public void OnTransition(object? sender, VrrpSyncGroupTransition transition) => pipeline.Post(transition);

        public void Detach()
        {
            if (Interlocked.Exchange(ref _detached, 1) == 0)
            {
                group.StateChanged -= OnTransition;
            }
        }

        public void Dispose()
        {
            lock (pipeline._lock)
            {
                pipeline._groupAttachments.Remove(this);
            }

            Detach();
        }
    }
}
