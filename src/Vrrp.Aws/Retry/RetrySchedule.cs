namespace Vrrp.Aws;

/// <summary>
/// Jittered exponential backoff bounded by a deadline, as a pure function: attempt n and the time used so far in, the
/// delay before attempt n + 1 (or none) out.
/// </summary>
/// <remarks>
/// The base delay of attempt n (1-based) is <c>min(initial * 2^(n-1), max)</c>; the delay is that base reduced by a random
/// fraction of at most <c>jitterFraction</c>, so it lies in <c>[base * (1 - jitterFraction), base]</c>. A delay that would
/// reach the deadline is not returned: the caller stops instead of sleeping into it.
/// </remarks>
internal sealed class RetrySchedule
{
    public RetrySchedule(TimeSpan initialDelay, TimeSpan maxDelay, double jitterFraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, initialDelay);
        if (!(jitterFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(jitterFraction), jitterFraction, "must be within [0, 1]");
        }

        InitialDelay = initialDelay;
        MaxDelay = maxDelay;
        JitterFraction = jitterFraction;
    }

    public TimeSpan InitialDelay { get; }

    public TimeSpan MaxDelay { get; }

    public double JitterFraction { get; }

    /// <summary>The un-jittered delay after attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan BaseDelay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        int doublings = Math.Min(attempt - 1, 62);
        double ticks = InitialDelay.Ticks * Math.Pow(2, doublings);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The delay to wait after attempt <paramref name="attempt"/> failed, or null when the next attempt could not start
    /// before <paramref name="deadline"/>.
    /// </summary>
    /// <param name="attempt">The attempt that just failed, 1-based.</param>
    /// <param name="elapsed">Time used since the first attempt started.</param>
    /// <param name="deadline">The overall budget.</param>
    /// <param name="unitRandom">A random number in [0, 1).</param>
    public TimeSpan? NextDelay(int attempt, TimeSpan elapsed, TimeSpan deadline, double unitRandom)
    {
        double r = double.IsFinite(unitRandom) ? Math.Clamp(unitRandom, 0, 1) : 0;
        TimeSpan baseDelay = BaseDelay(attempt);
        var delay = TimeSpan.FromTicks((long)(baseDelay.Ticks * (1 - (JitterFraction * r))));
        TimeSpan remaining = deadline - elapsed;
        return delay < remaining ? delay : null;
    }
}
