using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Actions;

namespace Vrrp.Aws;

/// <summary>
/// A failover action that makes this node hold an AWS floating address while its VRRP instance is MASTER: it runs
/// <see cref="IFloatingAddress.EnsureHeldAsync"/> on <see cref="FailoverEventKind.Master"/> and again on
/// <see cref="FailoverEventKind.MasterHeardLowerPriority"/> (a peer that was briefly MASTER may have taken the address:
/// keepalived #100, #950), optionally re-checks the holder periodically, and retries failures in the background.
/// </summary>
/// <remarks>
/// <para><b>BACKUP, FAULT and STOP do nothing in AWS.</b> The address is not released: the next MASTER takes it with
/// <c>AllowReassociation</c> / <c>AllowReassignment</c> / <c>ReplaceRoute</c>, and releasing it first would only open a
/// window in which nobody holds it (and cost an API call that can be throttled). Leaving MASTER stops this action's
/// background retry and re-check, so a former MASTER never takes the address back.</para>
/// <para><b>Failures never block the router.</b> The awaited part is one <see cref="IFloatingAddress.EnsureHeldAsync"/>,
/// bounded by <see cref="AwsFailoverOptions.Deadline"/> (give the pipeline an action timeout above it, e.g.
/// <see cref="FloatingAddressActionFactory.RecommendedActionTimeout"/>). If it fails — or the pipeline's timeout cancels
/// it — the action logs it, counts it, throws <see cref="FloatingAddressException"/> so the pipeline reports the run as
/// failed on its event stream, and hands the retry to a background loop that keeps trying with jittered exponential
/// backoff (<see cref="FloatingAddressActionOptions.RetryInitialBackoff"/> up to
/// <see cref="FloatingAddressActionOptions.RetryMaxBackoff"/>) until it succeeds or the instance leaves MASTER.</para>
/// <para><b>Re-check</b> (<see cref="FloatingAddressActionOptions.RecheckInterval"/>, off by default): while MASTER, a
/// timer on the injected <see cref="TimeProvider"/> calls <see cref="IFloatingAddress.CheckAsync"/>; when another node
/// or nobody holds the address, it calls <see cref="IFloatingAddress.EnsureHeldAsync"/>.</para>
/// </remarks>
public sealed class FloatingAddressAction : IFailoverAction, IFailoverActionPolicy, IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private readonly FloatingAddressActionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetrySchedule _schedule;
    private readonly Random _random;
    private readonly IDisposable[] _owned;
    private Tenure? _tenure;
    private long _attempts;
    private long _successes;
    private long _failures;
    private long _backgroundRetries;
    private long _rechecks;
    private long _recheckTakeovers;
    private FloatingAddressResult? _lastResult;
    private bool _disposed;

    /// <summary>Creates the action for <paramref name="address"/>.</summary>
    /// <param name="address">The address to hold while MASTER.</param>
    /// <param name="options">Name, instance filter, re-check and background retry settings; null uses the defaults. Validated here.</param>
    /// <param name="timeProvider">The clock for the re-check timer and the retry backoff; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where progress is logged; null logs nothing.</param>
    /// <param name="random">The source of retry jitter; null uses <see cref="Random.Shared"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public FloatingAddressAction(
        IFloatingAddress address,
        FloatingAddressActionOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<FloatingAddressAction>? logger = null,
        Random? random = null)
        : this(address, options, timeProvider, logger, random, [])
    {
    }

    internal FloatingAddressAction(
        IFloatingAddress address,
        FloatingAddressActionOptions? options,
        TimeProvider? timeProvider,
        ILogger? logger,
        Random? random,
        IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(address);
        _options = (options ?? new FloatingAddressActionOptions()).Clone();
        _options.Validate();
        Address = address;
        Name = _options.Name ?? $"aws:{address.Name}";
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared;
        _schedule = new RetrySchedule(_options.RetryInitialBackoff, _options.RetryMaxBackoff, _options.RetryJitterFraction);
        _owned = owned;
    }

    /// <summary>The <see cref="FailoverLanes.Cloud"/> lane: a slow EC2 call never delays the local addresses or the notify scripts.</summary>
    public string Lane => FailoverLanes.Cloud;

    /// <summary>
    /// The timeout per event a pipeline gives it: <see cref="FloatingAddressActionFactory.RecommendedActionTimeout"/> of its
    /// deadline when the factory made it; <see langword="null"/> (the pipeline's default) otherwise.
    /// </summary>
    public TimeSpan? TimeoutPerEvent { get; init; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The address this action holds while MASTER.</summary>
    public IFloatingAddress Address { get; }

    /// <summary>Whether the action currently treats its instance as MASTER.</summary>
    public bool IsMaster
    {
        get
        {
            lock (_lock)
            {
                return _tenure is not null;
            }
        }
    }

    /// <summary>The action's counters now.</summary>
    /// <returns>A snapshot.</returns>
    public FloatingAddressActionStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new FloatingAddressActionStatistics(
                Name, _tenure is not null, _attempts, _successes, _failures, _backgroundRetries, _rechecks, _recheckTakeovers, _tenure?.RetryPending == true, _lastResult);
        }
    }

    /// <summary>
    /// Handles one event: on MASTER and MASTER-heard-lower-priority, ensures the address is held (throwing
    /// <see cref="FloatingAddressException"/> on failure, after scheduling a background retry); on BACKUP, FAULT and STOP,
    /// stops the background work and leaves the address for the next MASTER.
    /// </summary>
    /// <param name="failoverEvent">The event.</param>
    /// <param name="cancellationToken">The pipeline's timeout or stop; on cancellation a MASTER's attempt is retried in the background.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    /// <exception cref="FloatingAddressException">The address could not be taken within the deadline (a background retry is scheduled).</exception>
    public async Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failoverEvent);
        if (_options.InstanceName is { } instance && !string.Equals(instance, failoverEvent.InstanceName, StringComparison.Ordinal))
        {
            return;
        }

        if (!failoverEvent.IsMaster)
        {
            await StopTenureAsync(failoverEvent, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (failoverEvent.IsSuperseded)
        {
            // The instance already left MASTER: taking the address now could take it from the real MASTER.
            Log.ActionSuperseded(_logger, Name, failoverEvent, Address.Name);
            return;
        }

        Tenure tenure;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            tenure = _tenure ??= StartTenure();
        }

        string trigger = failoverEvent.Kind == FailoverEventKind.Master ? "became MASTER" : "heard a lower-priority advert as MASTER";
        Log.ActionEnsuring(_logger, Name, failoverEvent.InstanceName, trigger, Address.Name);
        FloatingAddressResult result;
        try
        {
            result = await Address.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The pipeline's timeout or stop (or an unexpected fault): the background loop takes over.
            RequestRetry(tenure);
            throw;
        }

        Record(result, tenure);
        if (!result.Succeeded)
        {
            RequestRetry(tenure);
            Log.ActionFailed(_logger, Name, Address.Name, trigger, result.Reason ?? "unknown", (long)_options.RetryInitialBackoff.TotalMilliseconds);
            throw new FloatingAddressException(Address.Name, result);
        }
    }

    /// <summary>Stops the background retry and re-check (the address is not released) and disposes what the factory created.</summary>
    /// <returns>A task that completes when the background loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Tenure? tenure;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            tenure = _tenure;
            _tenure = null;
        }

        if (tenure is not null)
        {
            await tenure.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>Stops the background work without waiting for it and disposes what the factory created.</summary>
    public void Dispose()
    {
        Tenure? tenure;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            tenure = _tenure;
            _tenure = null;
        }

        tenure?.Cancel();
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }

    private Tenure StartTenure()
    {
        var tenure = new Tenure();
        tenure.Loop = Task.Run(() => RunLoopAsync(tenure), CancellationToken.None);
        return tenure;
    }

    private async Task StopTenureAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken)
    {
        Tenure? tenure;
        lock (_lock)
        {
            tenure = _tenure;
            _tenure = null;
        }

        if (tenure is not null)
        {
            Log.ActionLeftMaster(_logger, Name, failoverEvent.InstanceName, failoverEvent.KeepalivedState);
            await tenure.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void RequestRetry(Tenure tenure)
    {
        lock (_lock)
        {
            tenure.RetryPending = true;
        }

        tenure.Wake.Writer.TryWrite(true);
    }

    private void Record(FloatingAddressResult result, Tenure tenure, bool background = false)
    {
        lock (_lock)
        {
            _attempts++;
            _lastResult = result;
            if (background)
            {
                _backgroundRetries++;
            }

            if (result.Succeeded)
            {
                _successes++;
                tenure.RetryPending = false;
                tenure.RetryAttempt = 0;
            }
            else
            {
                _failures++;
            }
        }
    }

    private TimeSpan? NextWait(Tenure tenure)
    {
        lock (_lock)
        {
            return tenure.RetryPending
                ? _schedule.NextDelay(tenure.RetryAttempt + 1, TimeSpan.Zero, TimeSpan.MaxValue, _random.NextDouble())
                : _options.RecheckInterval;
        }
    }

    private async Task RunLoopAsync(Tenure tenure)
    {
        CancellationToken stop = tenure.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await WaitAsync(tenure, NextWait(tenure)).ConfigureAwait(false))
                {
                    continue; // woken: a new failure to retry; recompute the wait
                }

                bool retry;
                lock (_lock)
                {
                    retry = tenure.RetryPending;
                }

                if (retry)
                {
                    await RetryAsync(tenure).ConfigureAwait(false);
                }
                else if (_options.RecheckInterval is not null)
                {
                    await RecheckAsync(tenure).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the loop must survive anything an address implementation throws
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ActionLoopError(_logger, Name, e);
                lock (_lock)
                {
                    tenure.RetryPending = true;
                    tenure.RetryAttempt++;
                }
            }
        }
    }

    private async Task RetryAsync(Tenure tenure)
    {
        FloatingAddressResult result = await Address.EnsureHeldAsync(tenure.Token).ConfigureAwait(false);
        Record(result, tenure, background: true);
        int attempt;
        lock (_lock)
        {
            attempt = ++tenure.RetryAttempt;
        }

        if (result.Succeeded)
        {
            Log.ActionRetrySucceeded(_logger, Name, attempt, Address.Name, result.Outcome);
        }
        else
        {
            Log.ActionRetryFailed(_logger, Name, attempt, Address.Name, result.Reason ?? "unknown", (long)_schedule.BaseDelay(attempt + 1).TotalMilliseconds);
        }
    }

    private async Task RecheckAsync(Tenure tenure)
    {
        FloatingAddressState state = await Address.CheckAsync(tenure.Token).ConfigureAwait(false);
        lock (_lock)
        {
            _rechecks++;
        }

        if (state.Holder is not (FloatingAddressHolder.OtherNode or FloatingAddressHolder.Nobody))
        {
            return; // held here, or unknown (CheckAsync logged it; the next re-check tries again)
        }

        Log.ActionRecheckTakeBack(_logger, Name, Address.Name, state.Detail);
        lock (_lock)
        {
            _recheckTakeovers++;
        }

        FloatingAddressResult result = await Address.EnsureHeldAsync(tenure.Token).ConfigureAwait(false);
        Record(result, tenure);
        if (!result.Succeeded)
        {
            Log.ActionFailed(_logger, Name, Address.Name, "re-check", result.Reason ?? "unknown", (long)_options.RetryInitialBackoff.TotalMilliseconds);
            RequestRetry(tenure);
        }
    }

    /// <summary>Waits <paramref name="delay"/> (null: until woken); true when woken by a retry request.</summary>
    private async Task<bool> WaitAsync(Tenure tenure, TimeSpan? delay)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(tenure.Token);
        Task<bool> wake = tenure.Wake.Reader.WaitToReadAsync(waiting.Token).AsTask();
        Task timer = delay is { } d ? Task.Delay(d, _time, waiting.Token) : Task.Delay(Timeout.InfiniteTimeSpan, waiting.Token);
        Task first = await Task.WhenAny(wake, timer).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);
        tenure.Token.ThrowIfCancellationRequested();
        if (wake.IsCompletedSuccessfully && tenure.Wake.Reader.TryRead(out _))
        {
            return true;
        }

        return first == wake;
    }

    /// <summary>One MASTER period: its cancellation, wake-up signal, retry state and background loop.</summary>
    private sealed class Tenure
    {
        private readonly CancellationTokenSource _stop = new();

        public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public CancellationToken Token => _stop.Token;

        public Task Loop { get; set; } = Task.CompletedTask;

        public bool RetryPending { get; set; }

        public int RetryAttempt { get; set; }

        public void Cancel()
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            Cancel();
            try
            {
                await Loop.WaitAsync(cancellationToken).ConfigureAwait(false);
                _stop.Dispose();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The loop ends by itself shortly; it is cancelled.
            }
        }
    }
}
