using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Vrrp.Aws;

/// <summary>The package's instruments, on one <see cref="Meter"/> named <c>Vrrp.Aws</c>.</summary>
internal static class AwsMetrics
{
    public const string MeterName = "Vrrp.Aws";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> EnsureCalls = Meter.CreateCounter<long>(
        "vrrp.aws.ensure.calls", "{call}", "EnsureHeldAsync calls by mode and outcome (already_held, moved, failed).");

    private static readonly Histogram<double> EnsureDuration = Meter.CreateHistogram<double>(
        "vrrp.aws.ensure.duration", "s", "Time from EnsureHeldAsync called to its result, verification included.");

    private static readonly Counter<long> ApiErrors = Meter.CreateCounter<long>(
        "vrrp.aws.api.errors", "{error}", "Failed EC2 calls by mode and error kind (throttled, service, client, network, timeout).");

    public static void RecordEnsure(string mode, FloatingAddressOutcome outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "vrrp.aws.mode", mode }, { "vrrp.aws.outcome", OutcomeTag(outcome) } };
        EnsureCalls.Add(1, tags);
        EnsureDuration.Record(elapsed.TotalSeconds, tags);
    }

    public static void RecordError(string mode, string kind) =>
        ApiErrors.Add(1, new TagList { { "vrrp.aws.mode", mode }, { "error.type", kind } });

    private static string OutcomeTag(FloatingAddressOutcome outcome) => outcome switch
    {
        FloatingAddressOutcome.AlreadyHeld => "already_held",
        FloatingAddressOutcome.Moved => "moved",
        _ => "failed",
    };
}
