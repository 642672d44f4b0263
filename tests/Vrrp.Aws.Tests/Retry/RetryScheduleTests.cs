using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Vrrp.Aws.Tests.Retry;

public class RetryScheduleTests
{
    [Fact]
    public void Base_delay_doubles_up_to_the_cap()
    {
        var schedule = new RetrySchedule(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 0.5);
        Assert.Equal(TimeSpan.FromMilliseconds(200), schedule.BaseDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), schedule.BaseDelay(2));
        Assert.Equal(TimeSpan.FromMilliseconds(800), schedule.BaseDelay(3));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.BaseDelay(4));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.BaseDelay(1000));
    }

    [Fact]
    public void No_delay_that_would_reach_the_deadline()
    {
        var schedule = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0);
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay(1, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), 0.3));
        Assert.Null(schedule.NextDelay(1, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10), 0.3));
        Assert.Null(schedule.NextDelay(1, TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(10), 0.3));
    }

    [Property(MaxTest = 500)]
    public Property Delay_never_reaches_the_deadline_and_jitter_stays_in_bounds(PositiveInt initialMs, PositiveInt extraMs, PositiveInt attemptRaw, NonNegativeInt elapsedMs, PositiveInt deadlineMs, int jitterPercentRaw, int randomRaw)
    {
        var initial = TimeSpan.FromMilliseconds(initialMs.Get % 10_000);
        if (initial <= TimeSpan.Zero)
        {
            initial = TimeSpan.FromMilliseconds(1);
        }

        TimeSpan max = initial + TimeSpan.FromMilliseconds(extraMs.Get % 60_000);
        double jitter = Math.Abs(jitterPercentRaw % 101) / 100.0;
        double random = Math.Abs(randomRaw % 1000) / 1000.0;
        int attempt = 1 + (attemptRaw.Get % 100);
        var elapsed = TimeSpan.FromMilliseconds(elapsedMs.Get % 120_000);
        var deadline = TimeSpan.FromMilliseconds(deadlineMs.Get % 120_000);

        var schedule = new RetrySchedule(initial, max, jitter);
        TimeSpan baseDelay = schedule.BaseDelay(attempt);
        TimeSpan? delay = schedule.NextDelay(attempt, elapsed, deadline, random);

        bool baseOk = baseDelay >= initial && baseDelay <= max;
        bool ok = delay is not { } d
            ? true
            : elapsed + d < deadline && d <= baseDelay && d.Ticks >= (long)(baseDelay.Ticks * (1 - jitter)) - 1;
        bool stopsOnlyWhenNeeded = delay is not null || elapsed + TimeSpan.FromTicks((long)(baseDelay.Ticks * (1 - (jitter * random)))) >= deadline;
        return (baseOk && ok && stopsOnlyWhenNeeded).Label($"base {baseDelay}, delay {delay}, elapsed {elapsed}, deadline {deadline}");
    }

    [Property(MaxTest = 200)]
    public Property Whole_schedule_fits_the_deadline(PositiveInt deadlineMs, int seed)
    {
        var schedule = new RetrySchedule(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), 0.5);
        var deadline = TimeSpan.FromMilliseconds(deadlineMs.Get % 30_000);
        var random = new Random(seed);
        TimeSpan elapsed = TimeSpan.Zero;
        int attempt = 0;
        while (schedule.NextDelay(++attempt, elapsed, deadline, random.NextDouble()) is { } d)
        {
            elapsed += d;
        }

        return (elapsed < deadline || elapsed == TimeSpan.Zero).Label($"slept {elapsed} of {deadline} in {attempt} attempts");
    }
}
