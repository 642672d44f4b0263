namespace Vrrp.Tracking;

/// <summary>
/// One health check feeding VRRP instances (keepalived <c>vrrp_script</c>, <c>track_process</c>,
/// <c>track_interface</c>, <c>track_file</c>, plus TCP and HTTP checks). Run it on a schedule with
/// <see cref="TrackerRunner"/>, which applies the interval and timeout and reports each raw result to the routers.
/// </summary>
public interface IVrrpTracker
{
    /// <summary>The tracker's name, as listed in the instance's <see cref="Vrrp.Routing.VirtualRouterOptions.Trackers"/>.</summary>
    string Name { get; }

    /// <summary>Runs the check once.</summary>
    /// <param name="cancellationToken">Cancelled at the timeout or on shutdown; the check must stop promptly and release what it started.</param>
    /// <returns>The raw result; rise/fall counting and weights are applied by the router.</returns>
    Task<TrackerResult> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The raw outcome of one check, with a human-readable reason.</summary>
/// <param name="Success">Whether the check passed.</param>
/// <param name="Reason">What was observed, e.g. <c>exit code 1</c> or <c>operstate down</c>.</param>
public sealed record TrackerResult(bool Success, string Reason)
{
    /// <summary>A number the check read, when it has one (the value in a <see cref="FileTracker"/>'s file, the number of
    /// matching processes of a <see cref="ProcessTracker"/>, the exit code of a <see cref="ScriptTracker"/>, the HTTP status).</summary>
    public long? Value { get; init; }

    /// <summary>A passed check.</summary>
    public static TrackerResult Ok(string reason, long? value = null) => new(true, reason) { Value = value };

    /// <summary>A failed check.</summary>
    public static TrackerResult Fail(string reason, long? value = null) => new(false, reason) { Value = value };

    /// <inheritdoc/>
    public override string ToString() => $"{(Success ? "OK" : "FAIL")}: {Reason}";
}
