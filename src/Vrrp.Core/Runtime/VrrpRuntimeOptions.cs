using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Tracking;

namespace Vrrp.Runtime;

/// <summary>How a <see cref="VrrpRuntime"/> runs what it is given: transports, clock, logs, metrics, timeouts, the state file.</summary>
public sealed class VrrpRuntimeOptions
{
    /// <summary>Opens one transport per (unicast source, interface) of the configuration. Required.</summary>
    public IVrrpTransportFactory? Transports { get; set; }

    /// <summary>
    /// The clock. <see langword="null"/> or <see cref="TimeProvider.System"/> (the default): the system clock, with every
    /// protocol timer (advertisement, Master_Down) on the runtime's own thread, never on the thread pool. Any other
    /// provider (a <c>FakeTimeProvider</c> in tests) drives everything as it is.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the runtime and its parts log (default: nowhere).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The <c>Vrrp</c> meter to report to (default: a meter of the runtime's own, disposed with it).</summary>
    public VrrpMetrics? Metrics { get; set; }

    /// <summary>
    /// Whether the instances' virtual addresses are added to and removed from local interfaces, with gratuitous ARP /
    /// unsolicited NA (default <see langword="true"/>; off on the in-memory network, where there is no interface).
    /// </summary>
    public bool ManageLocalAddresses { get; set; } = true;

    /// <summary>How long each notify script may run before it is killed (default 30 s); its action gets two of these and a second.</summary>
    public TimeSpan NotifyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The timeout per event of an action that names none of its own (<see cref="IFailoverActionPolicy"/>; default 30 s).</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop waits for the queued failover actions before cancelling them (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The state file, over the configuration's own (<c>json_file_location</c>, JSON <c>StateFile</c>).</summary>
    public string? StateFile { get; set; }

    /// <summary>The state file when neither <see cref="StateFile"/> nor the configuration names one (default: none).</summary>
    public string? DefaultStateFile { get; set; }

    /// <summary>How often the state file is rewritten besides on transitions (default 5 s).</summary>
    public TimeSpan StateFileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Makes the local-address actions (tests put a recorder here); default: <see cref="LocalAddressAction"/>.</summary>
    internal Func<LocalAddressActionOptions, IFailoverAction>? LocalAddressActionFactory { get; set; }

    internal VrrpRuntimeOptions Clone() => (VrrpRuntimeOptions)MemberwiseClone();
}

/// <summary>
/// What a <see cref="VrrpRuntime"/> runs: the configuration (from keepalived.conf, the JSON form or appsettings), and
/// what the host adds to it — actions (its own, cloud movers) and trackers.
/// </summary>
/// <param name="Configuration">The instances, trackers, sync groups, scripts and FIFOs.</param>
public sealed record VrrpRuntimeConfiguration(KeepalivedConfiguration Configuration)
{
    /// <summary>The host's actions, after the configuration's own; each runs in its lane (<see cref="IFailoverActionPolicy"/>). Not disposed by the runtime.</summary>
    public ImmutableArray<IFailoverAction> Actions { get; init; } = [];

    /// <summary>The host's trackers, each created anew for every start or reload (and disposed by the runtime when disposable).</summary>
    public ImmutableArray<VrrpRuntimeTracker> Trackers { get; init; } = [];

    /// <summary>A digest of the configuration's sources: a reload with the same fingerprint changes nothing. <see langword="null"/>: always reload.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary>A tracker the host adds: its options (name, interval, weight...) and how to make it.</summary>
/// <param name="Options">The schedule and the name instances track it by.</param>
/// <param name="Create">Makes the check.</param>
public sealed record VrrpRuntimeTracker(TrackerOptions Options, Func<IVrrpTracker> Create);

/// <summary>What a <see cref="VrrpRuntime.ReloadAsync"/> did.</summary>
public enum VrrpReloadOutcome
{
    /// <summary>The configuration's fingerprint is the running one's: nothing changed.</summary>
    Unchanged,

    /// <summary>The new configuration runs: kept instances went on (a MASTER stayed MASTER), removed or re-addressed ones stopped gracefully.</summary>
    Reloaded,

    /// <summary>The new configuration could not start; the previous one runs again (<see cref="VrrpReloadResult.Error"/> says why).</summary>
    RestoredPrevious,
}

/// <summary>The outcome of a reload.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Continuing">The instances that went on without resigning.</param>
/// <param name="Error">Why the new configuration could not start, for <see cref="VrrpReloadOutcome.RestoredPrevious"/>.</param>
public sealed record VrrpReloadResult(VrrpReloadOutcome Outcome, ImmutableArray<string> Continuing, Exception? Error);
