using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Runtime;

/// <summary>
/// The system clock with timers of its own: every timer created here fires on one dedicated thread, not on the thread
/// pool, so a host that starves its pool (sync-over-async, a burst of blocking work) cannot delay an advertisement or a
/// Master_Down timer. Time itself (<see cref="GetTimestamp"/>, <see cref="GetUtcNow"/>) is the system's.
/// </summary>
/// <remarks>
/// Callbacks run one at a time in due order on the thread and must be short and non-blocking (the routers' are: they
/// encode and send under their lock, and queue everything else). A callback that throws is logged and the thread goes
/// on. Disposing stops the thread; timers created afterwards never fire.
/// </remarks>
internal sealed partial class ProtocolClock : TimeProvider, IDisposable
{
    private readonly object _lock = new(); // Monitor.Wait / Pulse: the thread sleeps until the earliest due time or a new earlier timer
    private readonly PriorityQueue<Entry, long> _due = new();
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private bool _disposed;
    private long _fired;

    public ProtocolClock(string name = "vrrp-protocol", ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Timer callbacks run so far (for tests and diagnostics).</summary>
    public long Fired => Interlocked.Read(ref _fired);

    /// <summary>The dedicated thread's managed id.</summary>
    public int ThreadId => _thread.ManagedThreadId;

    public override long TimestampFrequency => TimeProvider.System.TimestampFrequency;

    public override long GetTimestamp() => TimeProvider.System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => TimeProvider.System.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Timer timer = new(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _due.Clear();
            Monitor.PulseAll(_lock);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Schedule(Timer timer, long generation, long dueTimestamp)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            bool earliest = !_due.TryPeek(out _, out long first) || dueTimestamp < first;
            _due.Enqueue(new Entry(timer, generation), dueTimestamp);
            if (earliest)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    private void Run()
    {
        while (true)
        {
            Entry entry;
            lock (_lock)
            {
                while (true)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    if (_due.TryPeek(out entry, out long due))
                    {
                        long now = TimeProvider.System.GetTimestamp();
                        if (due <= now)
                        {
                            _due.Dequeue();
                            break;
                        }

                        double milliseconds = Math.Ceiling((due - now) * 1000.0 / TimeProvider.System.TimestampFrequency);
                        Monitor.Wait(_lock, (int)Math.Min(milliseconds, int.MaxValue));
                    }
                    else
                    {
                        Monitor.Wait(_lock);
                    }
                }
            }

            entry.Timer.Fire(entry.Generation);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "A protocol timer callback threw; the protocol thread goes on")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception);

    private readonly record struct Entry(Timer Timer, long Generation);

    private sealed class Timer(ProtocolClock clock, TimerCallback callback, object? state) : ITimer
    {
        private readonly Lock _lock = new();
        private long _generation;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long generation;
            lock (_lock)
            {
                if (_disposed)
                {
                    return false;
                }

                // A new generation voids every firing already queued for this timer.
                generation = ++_generation;
                _period = period <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period;
            }

            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                long due = TimeProvider.System.GetTimestamp() + (long)(Math.Max(0, dueTime.Ticks) * (double)TimeProvider.System.TimestampFrequency / TimeSpan.TicksPerSecond);
                clock.Schedule(this, generation, due);
            }

            return true;
        }

        public void Fire(long generation)
        {
            TimeSpan period;
            lock (_lock)
            {
                if (_disposed || generation != _generation)
                {
                    return;
                }

                period = _period;
            }

            Interlocked.Increment(ref clock._fired);
            try
            {
                callback(state);
            }
#pragma warning disable CA1031 // a callback's bug must not end the protocol thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogCallbackFailed(clock._logger, e);
            }

            if (period != Timeout.InfiniteTimeSpan)
            {
                lock (_lock)
                {
                    if (_disposed || generation != _generation)
                    {
                        return;
                    }
                }

                clock.Schedule(this, generation, TimeProvider.System.GetTimestamp() + (long)(period.Ticks * (double)TimeProvider.System.TimestampFrequency / TimeSpan.TicksPerSecond));
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                _generation++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
