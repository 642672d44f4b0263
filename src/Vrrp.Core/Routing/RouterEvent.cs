using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Vrrp.Routing;

/// <summary>
/// The subscribers of one event of a router (or sync group), each delivered on its own: a subscriber that throws is
/// logged and the next one still runs; with isolation on (routers run by a <c>VrrpRuntime</c>), each subscriber has a
/// bounded mailbox of its own served on the thread pool, so one that blocks (a hung console, a full disk) delays
/// neither the protocol thread nor the other subscribers. The library's own sinks (action pipeline, metrics, state
/// file) subscribe inline: they only queue or count, and must see every event at once.
/// </summary>
internal sealed partial class RouterEvent<T>
    where T : class
{
    /// <summary>How many events an isolated subscriber may have undelivered before newer ones are dropped (counted).</summary>
    internal const int MailboxCapacity = 1024;

    private readonly Lock _lock = new();
    private Subscription[] _subscriptions = [];
    private long _dropped;

    /// <summary>Events an isolated subscriber did not get because its mailbox was full (it was blocked).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsEmpty => Volatile.Read(ref _subscriptions).Length == 0;

    public void Add(EventHandler<T>? handler, bool inline = false)
    {
        if (handler is null)
        {
            return;
        }

        lock (_lock)
        {
            _subscriptions = [.. _subscriptions, new Subscription(handler, inline)];
        }
    }

    public void Remove(EventHandler<T>? handler)
    {
        if (handler is null)
        {
            return;
        }

        Subscription? removed = null;
        lock (_lock)
        {
            // The last one added with this handler goes, as a multicast delegate's -= does.
            int index = Array.FindLastIndex(_subscriptions, s => s.Handler == handler);
            if (index >= 0)
            {
                removed = _subscriptions[index];
                _subscriptions = [.. _subscriptions.Where((_, i) => i != index)];
            }
        }

        removed?.Close();
    }

    /// <summary>Delivers <paramref name="args"/> to every subscriber, in subscription order; never throws.</summary>
    public void Raise(object sender, T args, bool isolate, ILogger logger, string owner)
    {
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (isolate && !subscription.Inline)
            {
                if (!subscription.Post(sender, args, logger, owner))
                {
                    Interlocked.Increment(ref _dropped);
                    LogMailboxFull(logger, owner, typeof(T).Name, MailboxCapacity);
                }

                continue;
            }

            Invoke(subscription.Handler, sender, args, logger, owner);
        }
    }

    /// <summary>
    /// Waits until every isolated subscriber has been handed what was raised before this call, for at most
    /// <paramref name="timeout"/> (a blocked subscriber is not waited for longer).
    /// </summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        List<Task> pending = [];
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Flush() is { } flushed)
            {
                pending.Add(flushed);
            }
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A subscriber is blocked: its queue is its own, and it is not waited for.
        }
    }

    private static void Invoke(EventHandler<T> handler, object sender, T args, ILogger logger, string owner)
    {
        try
        {
            handler(sender, args);
        }
#pragma warning disable CA1031 // a subscriber's bug must neither skip the other subscribers nor reach the protocol thread
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSubscriberFailed(logger, owner, typeof(T).Name, e);
        }
    }

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "{Owner}: a {Event} subscriber threw; the other subscribers still run")]
    private static partial void LogSubscriberFailed(ILogger logger, string owner, string @event, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "{Owner}: a {Event} subscriber has {Capacity} undelivered events (it is blocked); dropping the newest")]
    private static partial void LogMailboxFull(ILogger logger, string owner, string @event, int capacity);

    private sealed class Subscription(EventHandler<T> handler, bool inline)
    {
        private Channel<(object Sender, T Args)>? _mailbox;

        public EventHandler<T> Handler { get; } = handler;

        public bool Inline { get; } = inline;

        public bool Post(object sender, T args, ILogger logger, string owner)
        {
            Channel<(object, T)> mailbox = _mailbox ?? Open(logger, owner);
            return mailbox.Writer.TryWrite((sender, args));
        }

        public void Close() => _mailbox?.Writer.TryComplete();

        /// <summary>A task that completes once everything posted so far was delivered; null when nothing is queued here.</summary>
        public Task? Flush()
        {
            if (_mailbox is not { } mailbox)
            {
                return null;
            }

            TaskCompletionSource flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return mailbox.Writer.TryWrite((flushed, null!)) ? flushed.Task : null;
        }

        private Channel<(object, T)> Open(ILogger logger, string owner)
        {
            Channel<(object Sender, T Args)> mailbox = Channel.CreateBounded<(object, T)>(new BoundedChannelOptions(MailboxCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the drop is counted by the caller
                SingleReader = true,
            });
            if (Interlocked.CompareExchange(ref _mailbox, mailbox, null) is { } existing)
            {
                return existing;
            }

            _ = Task.Run(async () =>
            {
                await foreach ((object from, T args) in mailbox.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    if (from is TaskCompletionSource flushed)
                    {
                        flushed.TrySetResult();
                        continue;
                    }

                    Invoke(Handler, from, args, logger, owner);
                }
            });
            return mailbox;
        }
    }
}
