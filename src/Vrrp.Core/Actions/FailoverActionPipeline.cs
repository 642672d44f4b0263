using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Routing;

namespace Vrrp.Actions;

/// <summary>
/// Runs failover actions for one or more <see cref="VirtualRouter"/>s: their events are queued from the routers'
/// event handlers (which only enqueue, so the protocol never waits for an action) to serial executors — one per
/// <em>lane</em> — that hand every event, in the order received, to every action of the lane in the order added,
/// awaiting each with its timeout.
/// </summary>
/// <remarks>
/// <para>Lanes (<see cref="FailoverLanes"/>, chosen by <see cref="IFailoverActionPolicy.Lane"/> or <see cref="Add"/>):
/// the <see cref="FailoverLanes.Address"/> lane (local addresses, gratuitous ARP / NA) runs first for each event; every
/// other lane (notify scripts and FIFO, cloud movers, the application's own) starts an event only once the address
/// lane is done with it (as keepalived adds its addresses, then notifies), but never waits for another lane. So a hung
/// notify script or an unreachable cloud endpoint delays neither adding or removing an address nor the other lanes.</para>
/// <para>Guarantees: every transition is delivered exactly once to every action, in order, never coalesced or dropped
/// (a burst MASTER→BACKUP→MASTER runs three times); within a lane no two actions and no two events run at once —
/// except an action that ignores cancellation, which is abandoned after its timeout (plus a one-second grace) and may
/// still be running while later events proceed. The other events are bounded: at most one
/// <see cref="FailoverEventKind.MasterHeardLowerPriority"/> per instance is pending (a later one is coalesced into it),
/// and at most <see cref="FailoverActionPipelineOptions.EventQueueCapacity"/> notification events wait; beyond that they
/// are dropped and counted (<see cref="CoalescedEvents"/>, <see cref="DroppedEvents"/>). A throwing, faulting or
/// timed-out action is logged, counted in <see cref="GetStatistics"/>, reported on <see cref="ReadEventsAsync"/>, and
/// the next action runs.</para>
/// <para>Stopping (<see cref="StopAsync"/>, <see cref="DisposeAsync"/>) takes no new events, lets the queued ones run
/// for at most <see cref="FailoverActionPipelineOptions.DrainTimeout"/>, then cancels the running actions and reports
/// the rest as <see cref="FailoverActionResult.Cancelled"/> without running them.</para>
/// </remarks>
public sealed partial class FailoverActionPipeline : IAsyncDisposable, IDisposable
{
    /// <summary>How long an action that was cancelled may take to return before it is abandoned.</summary>
    public static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly FailoverActionPipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly List<Channel<FailoverPipelineNotification>> _readers = [];
    private readonly List<Attachment> _attachments = [];
    private readonly List<GroupAttachment> _groupAttachments = [];
    private readonly Dictionary<string, long> _lastTransition = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingLowerPriority = new(StringComparer.Ordinal);
    private readonly List<Lane> _lanes = [];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActionEntry[] _actions = [];
    private long _sequence;
    private long _pending;
    private long _pendingNotifications;
    private long _rejected;
    private long _coalesced;
    private long _dropped;
    private bool _stopping;
    private bool _completed;

    /// <summary>Creates a pipeline with no actions; add actions with <see cref="Add"/>, routers with <see cref="Attach(VirtualRouter)"/>.</summary>
    /// <param name="options">Timeouts, bounds and the event stream's capacity (default: <see cref="FailoverActionPipelineOptions"/>'s defaults).</param>
    /// <param name="timeProvider">The clock for timeouts and durations (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public FailoverActionPipeline(FailoverActionPipelineOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = (options ?? new FailoverActionPipelineOptions()).Clone();
        _options.ThrowIfInvalid();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The actions, in the order they were added.</summary>
    public IReadOnlyList<IFailoverAction> Actions => [.. Volatile.Read(ref _actions).Select(a => a.Action)];

    /// <summary>Each action with its lane and timeout, in the order added.</summary>
    public IReadOnlyList<FailoverActionPlacement> Placements => [.. Volatile.Read(ref _actions).Select(a => new FailoverActionPlacement(a.Action.Name, a.Lane, a.Timeout, a.Action.GetType().Name))];

    /// <summary>Events received and not yet handled by every lane (including those running).</summary>
    public long PendingEvents => Interlocked.Read(ref _pending);

    /// <summary>Events that arrived after stopping began and were not delivered.</summary>
    public long RejectedEvents => Interlocked.Read(ref _rejected);

    /// <summary>
    /// <see cref="FailoverEventKind.MasterHeardLowerPriority"/> events not queued because one of the same instance was
    /// still pending (its re-assert covers them).
    /// </summary>
    public long CoalescedEvents => Interlocked.Read(ref _coalesced);

    /// <summary>Notification events (priority changes, sync group changes, lower-priority re-asserts) dropped because
    /// <see cref="FailoverActionPipelineOptions.EventQueueCapacity"/> of them were already waiting. Transitions are never dropped.</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>Adds an action after the existing ones; it receives the events dispatched from now on.</summary>
    /// <param name="action">The action.</param>
    /// <param name="timeout">Its timeout per event (default: its <see cref="IFailoverActionPolicy.TimeoutPerEvent"/>, else <see cref="FailoverActionPipelineOptions.ActionTimeout"/>).</param>
    /// <param name="lane">The lane it runs in (default: its <see cref="IFailoverActionPolicy.Lane"/>, else <see cref="FailoverLanes.Default"/>).</param>
    /// <returns>This pipeline.</returns>
    /// <exception cref="ArgumentException">Another action has the same name, the timeout is not positive, or the lane is empty.</exception>
    public FailoverActionPipeline Add(IFailoverAction action, TimeSpan? timeout = null, string? lane = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        IFailoverActionPolicy? policy = action as IFailoverActionPolicy;
        TimeSpan effective = timeout ?? policy?.TimeoutPerEvent ?? _options.ActionTimeout;
        if (effective <= TimeSpan.Zero && effective != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"timeout: must be positive (or infinite); got {effective}.", nameof(timeout));
        }

        string laneName = lane ?? policy?.Lane ?? FailoverLanes.Default;
        if (string.IsNullOrWhiteSpace(laneName))
        {
            throw new ArgumentException("lane: must name a lane.", nameof(lane));
        }

        lock (_lock)
        {
            if (_actions.Any(a => string.Equals(a.Action.Name, action.Name, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"An action named '{action.Name}' is already in the pipeline.", nameof(action));
            }

            ActionEntry entry = new(action, effective, laneName);
            _actions = [.. _actions, entry];
            Lane? existing = _lanes.FirstOrDefault(l => string.Equals(l.Name, laneName, StringComparison.Ordinal));
            if (existing is null)
            {
                existing = new Lane(this, laneName);
                _lanes.Add(existing);
                if (!_stopping)
                {
                    existing.Start();
                }
                else
                {
                    existing.Complete();
                }
            }

            existing.Add(entry);
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

        // Inline: the pipeline only queues, and must get every transition at once, whatever the router's subscribers do.
        router.StateChangedEvent.Add(attachment.OnTransition, inline: true);
        router.LowerPriorityEvent.Add(attachment.OnLowerPriority, inline: true);
        router.PriorityChangedEvent.Add(attachment.OnPriorityChanged, inline: true);
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

        group.StateChangedEvent.Add(attachment.OnTransition, inline: true);
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
        return Enqueue(sequence => FailoverEvent.FromLowerPriority(sequence, advertisement, now), advertisement.InstanceName);
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
            if (_completed)
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
            await _stopped.Task.WaitAsync(_options.DrainTimeout, _time, cancellationToken).ConfigureAwait(false);
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
            await _stopped.Task.ConfigureAwait(false);
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
            attachments = [.. _attachments];
            _attachments.Clear();
            groupAttachments = [.. _groupAttachments];
            _groupAttachments.Clear();
            if (!_stopping)
            {
                _stopping = true;
                Lane[] lanes = [.. _lanes];
                foreach (Lane lane in lanes)
                {
                    lane.Complete();
                }

                _ = Task.WhenAll(lanes.Select(l => l.Completion)).ContinueWith(static (_, state) => ((FailoverActionPipeline)state!).CompleteReaders(), this,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
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

    private long Enqueue(Func<long, FailoverEvent> create, string? coalesceInstance = null)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                Interlocked.Increment(ref _rejected);
                LogRejected(_logger);
                return 0;
            }

            if (coalesceInstance is not null && _pendingLowerPriority.Contains(coalesceInstance))
            {
                // One re-assert of this instance is still pending: it covers this one too.
                Interlocked.Increment(ref _coalesced);
                return 0;
            }

            FailoverEvent failoverEvent = create(++_sequence);
            bool notification = failoverEvent.Transition is null;
            if (notification && _pendingNotifications >= _options.EventQueueCapacity)
            {
                Interlocked.Increment(ref _dropped);
                LogDropped(_logger, failoverEvent, _options.EventQueueCapacity);
                return 0;
            }

            if (!notification)
            {
                _lastTransition[failoverEvent.InstanceName] = failoverEvent.Sequence;
            }
            else
            {
                _pendingNotifications++;
            }

            if (coalesceInstance is not null)
            {
                _pendingLowerPriority.Add(coalesceInstance);
            }

            Lane[] lanes = [.. _lanes.Where(l => l.Accepts(failoverEvent))];
            Pending pending = new(failoverEvent, lanes.Length, coalesceInstance, !lanes.Any(l => l.IsAddress));
            Interlocked.Increment(ref _pending);
            LogQueued(_logger, failoverEvent);
            PublishLocked(new FailoverEventDispatched(failoverEvent));
            if (lanes.Length == 0)
            {
                Finish(pending);
            }

            foreach (Lane lane in lanes)
            {
                lane.Post(pending);
            }

            return failoverEvent.Sequence;
        }
    }

    /// <summary>One lane is done with <paramref name="pending"/>; the last one releases its bounds.</summary>
    private void Finish(Pending pending)
    {
        pending.AddressDone.TrySetResult();
        if (Interlocked.Decrement(ref pending.Remaining) > 0)
        {
            return;
        }

        lock (_lock)
        {
            if (pending.Event.Transition is null)
            {
                _pendingNotifications--;
            }

            if (pending.CoalesceInstance is not null)
            {
                _pendingLowerPriority.Remove(pending.CoalesceInstance);
            }
        }

        Interlocked.Decrement(ref _pending);
    }

    private void CompleteReaders()
    {
        lock (_lock)
        {
            _completed = true;
            foreach (Channel<FailoverPipelineNotification> reader in _readers)
            {
                reader.Writer.TryComplete();
            }

            _readers.Clear();
        }

        _stopped.TrySetResult();
    }

    private async Task RunLaneAsync(Lane lane)
    {
        await foreach (Pending pending in lane.Queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (!lane.IsAddress && !pending.AddressDone.Task.IsCompleted)
                {
                    // keepalived's order: the addresses first, then the scripts and the rest; the address lane always
                    // finishes (its actions have timeouts), and is never waited for by itself.
                    await pending.AddressDone.Task.ConfigureAwait(false);
                }

                FailoverEvent failoverEvent = pending.Event;
                if (!failoverEvent.IsNotificationOnly && IsSuperseded(failoverEvent))
                {
                    failoverEvent = failoverEvent with { IsSuperseded = true };
                    LogSuperseded(_logger, failoverEvent);
                }

                foreach (ActionEntry entry in lane.Entries)
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
            }
            finally
            {
                Finish(pending);
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
            PublishLocked(notification);
        }
    }

    private void PublishLocked(FailoverPipelineNotification notification)
    {
        foreach (Channel<FailoverPipelineNotification> reader in _readers)
        {
            reader.Writer.TryWrite(notification);
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

    private sealed class ActionEntry(IFailoverAction action, TimeSpan timeout, string lane)
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

        public string Lane { get; } = lane;

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

    /// <summary>An event on its way through the lanes.</summary>
    private sealed class Pending(FailoverEvent failoverEvent, int lanes, string? coalesceInstance, bool noAddressLane)
    {
        public int Remaining = lanes;

        public FailoverEvent Event { get; } = failoverEvent;

        public string? CoalesceInstance { get; } = coalesceInstance;

        /// <summary>Completed when the address lane is done with the event (at once when it has none).</summary>
        public TaskCompletionSource AddressDone { get; } = Completed(noAddressLane);

        private static TaskCompletionSource Completed(bool done)
        {
            TaskCompletionSource source = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (done)
            {
                source.SetResult();
            }

            return source;
        }
    }

    /// <summary>One serial executor and the actions it runs, in the order added.</summary>
    private sealed class Lane(FailoverActionPipeline pipeline, string name)
    {
        private ActionEntry[] _entries = [];
        private Task _completion = Task.CompletedTask;

        public string Name { get; } = name;

        public bool IsAddress { get; } = string.Equals(name, FailoverLanes.Address, StringComparison.Ordinal);

        // Unbounded on purpose: the pipeline bounds what it admits (transitions are never dropped, the rest is capped).
        public Channel<Pending> Queue { get; } = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

        public ActionEntry[] Entries => Volatile.Read(ref _entries);

        public Task Completion => _completion;

        public void Add(ActionEntry entry) => Volatile.Write(ref _entries, [.. _entries, entry]);

        public bool Accepts(FailoverEvent failoverEvent) => !failoverEvent.IsNotificationOnly || Entries.Any(e => FailoverActionPipeline.Accepts(e.Action, failoverEvent.Kind));

        public void Start() => _completion = Task.Run(() => pipeline.RunLaneAsync(this));

        public void Post(Pending pending) => Queue.Writer.TryWrite(pending);

        public void Complete() => Queue.Writer.TryComplete();
    }

    private sealed class Attachment(FailoverActionPipeline pipeline, VirtualRouter router) : IDisposable
    {
        private int _detached;

        public void OnTransition(object? sender, VrrpTransition transition) => pipeline.Post(transition);

        public void OnLowerPriority(object? sender, VrrpLowerPriorityAdvertisement advertisement)
        {
            if (pipeline.Post(advertisement) == 0 && !pipeline._stopping)
            {
                router.CountActionEventDropped();
            }
        }

        public void OnPriorityChanged(object? sender, VrrpPriorityChange change)
        {
            long before = pipeline.DroppedEvents;
            if (pipeline.Post(change) == 0 && pipeline.DroppedEvents != before)
            {
                router.CountActionEventDropped();
            }
        }

        public void Detach()
        {
            if (Interlocked.Exchange(ref _detached, 1) == 0)
            {
                router.StateChangedEvent.Remove(OnTransition);
                router.LowerPriorityEvent.Remove(OnLowerPriority);
                router.PriorityChangedEvent.Remove(OnPriorityChanged);
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
                group.StateChangedEvent.Remove(OnTransition);
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
