namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>
/// Tests that measure wall-clock deadlines against loopback servers run alone, so CPU-heavy property tests on a
/// two-core machine cannot stall their timers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
