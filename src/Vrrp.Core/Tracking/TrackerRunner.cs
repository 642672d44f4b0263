using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Routing;

namespace Vrrp.Tracking;

/// <summary>
/// Runs one <see cref="IVrrpTracker"/> every <see cref="TrackerOptions.Interval"/> on the injected
/// <see cref="TimeProvider"/> and reports every raw result to the attached <see cref="VirtualRouter"/>s with
/// <see cref="VirtualRouter.ReportTrackerResult"/> (the routers count rise/fall streaks and apply weights).
/// </summary>
/// <remarks>
/// <para>The first check starts at <see cref="Start"/>, then one at every tick of a periodic timer (<see cref="Interval"/>
/// after the start, 2 × <see cref="Interval"/>, ...). Runs of one tracker never overlap: ticks that come while a check
/// runs are merged into one run started as soon as it ends; a check that ignored its cancellation and is still running
/// makes the next run be skipped (as keepalived does), with nothing reported.</para>
/// <para>A check that exceeds <see cref="TrackerOptions.EffectiveTimeout"/> is cancelled and reported as failed;
/// a check that throws is a failure whose reason is the exception's message. Neither stops the runner.</para>
/// </remarks>
public sealed class TrackerRunner : IAsyncDisposable, IDisposable
{
    private readonly IVrrpTracker _tracker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<(VirtualRouter Router, string Name)> _routers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<bool> _ticks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private ITimer? _timer;
    private Task? _loop;
    private Task<TrackerResult>? _inFlight;
    private TrackerResult? _last;
    private long _checks;
    private bool _disposed;

    /// <summary>Creates a stopped runner; attach routers with <see cref="Attach"/>, then call <see cref="Start"/>.</summary>
    /// <param name="tracker">The check to run.</param>
    /// <param name="options">The schedule (<see cref="TrackerOptions.Interval"/>, <see cref="TrackerOptions.Timeout"/>); validated.</param>
    /// <param name="timeProvider">The clock and timers (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public TrackerRunner(IVrrpTracker tracker, TrackerOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _tracker = tracker;
        Interval = options.Interval;
        Timeout = options.EffectiveTimeout;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after each reported result (after the routers got it), with the runner as sender. Runs on the
    /// runner's loop; a handler that throws is logged and does not stop the runner.</summary>
    public event EventHandler<TrackerResult>? ResultReported;

    /// <summary>The tracker's name.</summary>
    public string Name => _tracker.Name;

    /// <summary>The check this runner runs.</summary>
    public IVrrpTracker Tracker => _tracker;

    /// <summary>Time between the starts of two checks.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How long one check may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The last reported result; <see langword="null"/> before the first check completes.</summary>
    public TrackerResult? LastResult { get { lock (_lock) { return _last; } } }

    /// <summary>How many results have been reported.</summary>
    public long CompletedChecks { get { lock (_lock) { return _checks; } } }

    /// <summary>Feeds this tracker's results to a router.</summary>
    /// <param name="router">The instance.</param>
    /// <param name="trackerName">The name of the tracker in the instance's options; default <see cref="Name"/>.</param>
    /// <exception cref="ArgumentException">The router has no tracker of that name.</exception>
    public void Attach(VirtualRouter router, string? trackerName = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        string name = trackerName ?? Name;
        if (!router.Trackers.Any(t => t.Options.Name == name))
        {
            throw new ArgumentException($"VRRP instance '{router.Name}' has no tracker '{name}'.", nameof(trackerName));
        }

        lock (_lock)
        {
            _routers.Add((router, name));
        }
    }

    /// <summary>Stops feeding a router.</summary>
    /// <returns><see langword="true"/> when it was attached.</returns>
    public bool Detach(VirtualRouter router)
    {
        lock (_lock)
        {
            return _routers.RemoveAll(r => ReferenceEquals(r.Router, router)) > 0;
        }
    }

    /// <summary>Starts the periodic checks; the first runs at once.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loop is not null)
            {
                throw new InvalidOperationException($"Tracker '{Name}' is already running.");
            }

            CancellationToken stop = _stop.Token;
            _ticks.Writer.TryWrite(true);
            _timer = _time.CreateTimer(static state => ((Channel<bool>)state!).Writer.TryWrite(true), _ticks, Interval, Interval);
            _loop = Task.Run(() => LoopAsync(stop), CancellationToken.None);
        }
    }

    /// <summary>Runs one check now (never concurrently with a scheduled one), with the timeout, and reports it.</summary>
    /// <param name="cancellationToken">Abandons the check; nothing is reported.</param>
    /// <returns>The reported result; when a previous check is still running, a failure that is not reported.</returns>
    public async Task<TrackerResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        return await RunCheckAsync(linked.Token).ConfigureAwait(false)
            ?? TrackerResult.Fail("skipped: the previous check has not finished");
    }

    /// <summary>Stops at once without waiting (a running check is cancelled). Prefer <see cref="DisposeAsync"/>, which also waits for it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
        }

        _stop.Cancel();
    }

    /// <summary>Stops: cancels a running check, waits for the loop and (up to one timeout) for the check to release what it started.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        Task? loop;
        Task<TrackerResult>? inFlight;
        lock (_lock)
        {
            loop = _loop;
            inFlight = _inFlight;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (inFlight is { IsCompleted: false })
        {
            try
            {
                await inFlight.WaitAsync(Timeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                TrackingLog.ShutdownAbandoned(_logger, Name, Timeout);
            }
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        try
        {
            await foreach (bool _ in _ticks.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                await RunCheckAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <returns>The reported result, or <see langword="null"/> when skipped because the previous check is still running.</returns>
    private async Task<TrackerResult?> RunCheckAsync(CancellationToken stop)
    {
        await _gate.WaitAsync(stop).ConfigureAwait(false);
        try
        {
            Task<TrackerResult> check;
            lock (_lock)
            {
                if (_inFlight is { IsCompleted: false })
                {
                    TrackingLog.Skipped(_logger, Name);
                    return null;
                }
            }

            using CancellationTokenSource timeout = new(Timeout, _time);
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
            check = InvokeAsync(linked.Token, stop);
            lock (_lock)
            {
                _inFlight = check;
            }

            TrackerResult result;
            try
            {
                // One timer (the timeout source, armed before the check started) bounds both the check and this wait.
                result = await check.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                result = TimedOut();
            }

            stop.ThrowIfCancellationRequested();
            Report(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TrackerResult> InvokeAsync(CancellationToken token, CancellationToken stop)
    {
        try
        {
            TrackerResult? result = await _tracker.CheckAsync(token).ConfigureAwait(false);
            return result ?? TrackerResult.Fail("the check returned no result");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return stop.IsCancellationRequested ? TrackerResult.Fail("cancelled: shutting down") : TimedOut();
        }
#pragma warning disable CA1031 // A failing check is a result, never a crash of the runner.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return TrackerResult.Fail(ex.Message);
        }
    }

    private TrackerResult TimedOut() => TrackerResult.Fail($"timed out after {Timeout.TotalSeconds:0.###} s");

    private void Report(TrackerResult result)
    {
        TrackerResult? previous;
        (VirtualRouter Router, string Name)[] routers;
        lock (_lock)
        {
            previous = _last;
            _last = result;
            _checks++;
            routers = [.. _routers];
        }

        string status = result.Success ? "OK" : "FAIL";
        if (previous is null || previous.Success != result.Success)
        {
            TrackingLog.ResultChanged(_logger, Name, status, result.Reason);
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            TrackingLog.Result(_logger, Name, status, result.Reason);
        }

        foreach ((VirtualRouter router, string name) in routers)
        {
            try
            {
                router.ReportTrackerResult(name, result.Success);
            }
#pragma warning disable CA1031 // One router's failure must not stop the others or the runner.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                TrackingLog.RouterReportFailed(_logger, Name, router.Name, ex);
            }
        }

        if (ResultReported is { } handlers)
        {
            foreach (EventHandler<TrackerResult> handler in handlers.GetInvocationList().Cast<EventHandler<TrackerResult>>())
            {
                try
                {
                    handler(this, result);
                }
#pragma warning disable CA1031 // Observers must not stop the runner.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    TrackingLog.HandlerFailed(_logger, Name, ex);
                }
            }
        }
    }
}
