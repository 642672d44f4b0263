using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Aws;

/// <summary>One reading of the address, with what a move needs to know (e.g. which route tables still point elsewhere).</summary>
/// <param name="State">The public state.</param>
/// <param name="Pending">Mode-specific leftovers for the move, or null.</param>
internal sealed record Observation(FloatingAddressState State, IReadOnlyList<string>? Pending = null);

/// <summary>The EC2 calls of one mode: read the owner, move the address. No retries or timing here.</summary>
internal interface IAddressOperations
{
    /// <summary>The metrics tag of the mode: elastic_ip, secondary_ip, route_table.</summary>
    string Mode { get; }

    /// <summary>The address, for logs.</summary>
    string Name { get; }

    Task<Observation> ReadAsync(string networkInterfaceId, CancellationToken cancellationToken);

    Task MoveAsync(string networkInterfaceId, Observation current, CancellationToken cancellationToken);
}

/// <summary>
/// Check first, move, verify; retried with jittered backoff inside the deadline; calls serialized. Shared by the three
/// modes, which only supply <see cref="IAddressOperations"/>.
/// </summary>
internal sealed class FloatingAddressEngine
{
    private readonly IAddressOperations _ops;
    private readonly FloatingAddressOptions _mode;
    private readonly AwsFailoverOptions _failover;
    private readonly RetrySchedule _schedule;
    private readonly InstanceIdentityResolver? _identity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public FloatingAddressEngine(
        IAddressOperations ops,
        FloatingAddressOptions mode,
        AwsFailoverOptions? failover,
        InstanceIdentityResolver? identity,
        TimeProvider? timeProvider,
        ILogger? logger,
        Random? random)
    {
        mode.Validate();
        failover ??= new AwsFailoverOptions();
        failover.Validate();
        if (mode.NetworkInterfaceId is null && identity is null)
        {
            throw new ArgumentException(
                $"{mode.GetType().Name}.NetworkInterfaceId is not set and no InstanceIdentityResolver was given to discover it: set one of them.",
                nameof(mode));
        }

        _ops = ops;
        _mode = mode;
        _failover = failover;
        _schedule = failover.CreateSchedule();
        _identity = identity;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared;
    }

    public async Task<FloatingAddressResult> EnsureHeldAsync(CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FloatingAddressResult result = await EnsureCoreAsync(start, cancellationToken).ConfigureAwait(false);
            AwsMetrics.RecordEnsure(_ops.Mode, result.Outcome, result.Elapsed);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<FloatingAddressState> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            string eni = await ResolveNetworkInterfaceAsync(cancellationToken).ConfigureAwait(false);
            Observation observation = await _ops.ReadAsync(eni, cancellationToken).ConfigureAwait(false);
            return observation.State;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            string reason = ex is InstanceIdentityException ? ex.Message : Ec2Failure.Classify(ex).Reason;
            Log.CheckFailed(_logger, _ops.Name, reason);
            return new FloatingAddressState(FloatingAddressHolder.Unknown, null, reason);
        }
    }

    private async Task<FloatingAddressResult> EnsureCoreAsync(long start, CancellationToken cancellationToken)
    {
        TimeSpan deadline = _failover.Deadline - _time.GetElapsedTime(start);
        if (deadline <= TimeSpan.Zero)
        {
            return Fail(0, start, null, $"the deadline of {Ms(_failover.Deadline)} passed while waiting for an earlier call on this address");
        }

        using var deadlineCts = new CancellationTokenSource(deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineCts.Token);
        CancellationToken token = linked.Token;

        int attempts = 0;
        bool moved = false;
        string? lastReason = null;
        FloatingAddressState? lastState = null;
        string eni;
        try
        {
            eni = await ResolveNetworkInterfaceAsync(token).ConfigureAwait(false);
        }
        catch (InstanceIdentityException ex)
        {
            return Fail(0, start, null, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(0, start, null, $"the deadline of {Ms(_failover.Deadline)} passed while discovering this node's network interface");
        }

        while (true)
        {
            attempts++;
            try
            {
                Observation observation = await _ops.ReadAsync(eni, token).ConfigureAwait(false);
                lastState = observation.State;
                if (observation.State.IsHeldByThisNode)
                {
                    if (moved)
                    {
                        Log.Moved(_logger, _ops.Name, eni, attempts, (long)_time.GetElapsedTime(start).TotalMilliseconds);
                        return Result(FloatingAddressOutcome.Moved, lastReason, attempts, start, lastState);
                    }

                    Log.AlreadyHeld(_logger, _ops.Name, eni, attempts);
                    return Result(FloatingAddressOutcome.AlreadyHeld, lastReason, attempts, start, lastState);
                }

                Log.Moving(_logger, _ops.Name, eni, observation.State.Detail);
                await _ops.MoveAsync(eni, observation, token).ConfigureAwait(false);
                moved = true;
                lastState = await VerifyAsync(eni, state => lastState = state, token).ConfigureAwait(false);
                if (lastState.IsHeldByThisNode)
                {
                    Log.Moved(_logger, _ops.Name, eni, attempts, (long)_time.GetElapsedTime(start).TotalMilliseconds);
                    return Result(FloatingAddressOutcome.Moved, lastReason, attempts, start, lastState);
                }

                lastReason = $"the change was accepted but EC2 still reports {lastState.Detail} after {Ms(_mode.VerifyTimeout)} of verification";
                AwsMetrics.RecordError(_ops.Mode, "unverified");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (deadlineCts.IsCancellationRequested)
                {
                    string during = moved
                        ? $" while verifying attempt {attempts}; EC2 last reported {lastState?.Detail}"
                        : $" (attempt {attempts} was still waiting for EC2)";
                    return Fail(attempts, start, lastState, DeadlineReason(lastReason) + during);
                }

                Ec2Failure failure = Ec2Failure.Classify(ex);
                AwsMetrics.RecordError(_ops.Mode, failure.Kind);
                lastReason = failure.Reason;
                if (!failure.Retryable)
                {
                    return Fail(attempts, start, lastState, failure.Reason);
                }
            }

            if (attempts >= _failover.MaxAttempts)
            {
                return Fail(attempts, start, lastState, $"gave up after {attempts} attempts (MaxAttempts); last error: {lastReason}");
            }

            TimeSpan? delay = _schedule.NextDelay(attempts, _time.GetElapsedTime(start), _failover.Deadline, _random.NextDouble());
            if (delay is not { } wait)
            {
                return Fail(attempts, start, lastState, DeadlineReason(lastReason));
            }

            Log.Retrying(_logger, _ops.Name, attempts, (long)wait.TotalMilliseconds, lastReason ?? "");
            try
            {
                await Task.Delay(wait, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(attempts, start, lastState, DeadlineReason(lastReason));
            }
        }
    }

    private async Task<FloatingAddressState> VerifyAsync(string eni, Action<FloatingAddressState> seen, CancellationToken token)
    {
        long start = _time.GetTimestamp();
        while (true)
        {
            Observation observation = await _ops.ReadAsync(eni, token).ConfigureAwait(false);
            seen(observation.State);
            if (observation.State.IsHeldByThisNode || _time.GetElapsedTime(start) + _mode.VerifyPollInterval > _mode.VerifyTimeout)
            {
                return observation.State;
            }

            Log.VerifyPending(_logger, _ops.Name, observation.State.Detail);
            await Task.Delay(_mode.VerifyPollInterval, _time, token).ConfigureAwait(false);
        }
    }

    private async ValueTask<string> ResolveNetworkInterfaceAsync(CancellationToken cancellationToken)
    {
        if (_mode.NetworkInterfaceId is { } configured)
        {
            return configured;
        }

        InstanceIdentity identity = await _identity!.ResolveAsync(cancellationToken).ConfigureAwait(false);
        return identity.NetworkInterfaceId;
    }

    private string DeadlineReason(string? lastReason) =>
        $"the deadline of {Ms(_failover.Deadline)} was reached" + (lastReason is null ? "" : $"; last error: {lastReason}");

    private FloatingAddressResult Fail(int attempts, long start, FloatingAddressState? state, string reason)
    {
        FloatingAddressResult result = Result(FloatingAddressOutcome.Failed, reason, attempts, start, state);
        Log.Failed(_logger, _ops.Name, attempts, (long)result.Elapsed.TotalMilliseconds, reason);
        return result;
    }

    private FloatingAddressResult Result(FloatingAddressOutcome outcome, string? reason, int attempts, long start, FloatingAddressState? state) =>
        new(outcome, reason, attempts, _time.GetElapsedTime(start), state);

    private static string Ms(TimeSpan t) => $"{(long)t.TotalMilliseconds} ms";
}
