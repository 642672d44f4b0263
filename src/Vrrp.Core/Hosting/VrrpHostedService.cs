using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Routing;
using Vrrp.Runtime;
using Vrrp.Tracking;
using Vrrp.Transports;

namespace Vrrp.Hosting;

/// <summary>
/// Runs the configured VRRP instances inside a .NET host: a thin shell around the <see cref="VrrpRuntime"/> that
/// <c>vrrp run</c> uses too, so every configuration feature behaves the same in both. <see cref="StartAsync"/> validates
/// the options and starts the runtime: every start-up error (invalid options, no CAP_NET_RAW, an address not on the host)
/// is thrown from it, nothing is started in the background where it could fail unseen. <see cref="StopAsync"/> leaves
/// gracefully: trackers stop, every MASTER sends its priority-0 advertisement, then the queued failover actions drain
/// (bounded by <see cref="VrrpOptions.DrainTimeout"/>). <see cref="ReloadAsync"/> applies changed options as SIGHUP does
/// for <c>vrrp run</c>.
/// </summary>
public sealed partial class VrrpHostedService : IHostedService, IAsyncDisposable
{
    private readonly IOptions<VrrpOptions> _options;
    private readonly IVrrpTransportFactory _transports;
    private readonly IEnumerable<IFailoverAction> _actions;
    private readonly IEnumerable<VrrpTrackerRegistration> _trackerRegistrations;
    private readonly IServiceProvider _services;
    private readonly VrrpMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private VrrpRuntime? _runtime;

    /// <summary>Creates the service (dependency injection does this; see <c>services.AddVrrp(...)</c>).</summary>
    public VrrpHostedService(IOptions<VrrpOptions> options, IVrrpTransportFactory transports, IEnumerable<IFailoverAction> actions,
        IEnumerable<VrrpTrackerRegistration> trackers, IServiceProvider services, VrrpMetrics metrics, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transports);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(trackers);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(metrics);
        _options = options;
        _transports = transports;
        _actions = actions;
        _trackerRegistrations = trackers;
        _services = services;
        _metrics = metrics;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Vrrp.Hosting");
    }

    /// <summary>The runtime (null before <see cref="StartAsync"/>): routers, pipeline, snapshot, wiring, <see cref="VrrpRuntime.StateChanged"/>.</summary>
    public VrrpRuntime? Runtime { get { lock (_lock) { return _runtime; } } }

    /// <summary>The running instances (empty before <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<VirtualRouter> Routers => Runtime?.Routers ?? [];

    /// <summary>Makes the local-address actions (tests put a recorder here, as for <see cref="VrrpRuntimeOptions"/>).</summary>
    internal Func<LocalAddressActionOptions, IFailoverAction>? LocalAddressActionFactory { get; set; }

    /// <summary>The failover action pipeline (null before <see cref="StartAsync"/>): its statistics and event stream.</summary>
    public FailoverActionPipeline? Pipeline => Runtime?.Pipeline;

    /// <summary>The instance named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such instance is running.</exception>
    public VirtualRouter GetRouter(string name) => Routers.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"No VRRP instance named '{name}' is running.");

    /// <summary>A keepalived-compatible snapshot of the running instances.</summary>
    public VrrpSnapshot GetSnapshot() => VrrpSnapshot.Create(Routers, _metrics.GetLastTransitions());

    /// <inheritdoc/>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each field.</exception>
    /// <exception cref="VrrpTransportException">A transport cannot be opened (e.g. raw sockets without CAP_NET_RAW).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        VrrpOptions options = _options.Value;
        VrrpRuntimeConfiguration configuration = ToRuntimeConfiguration(options);
        VrrpRuntime runtime = new(new VrrpRuntimeOptions
        {
            Transports = _transports,
            TimeProvider = _time,
            LoggerFactory = _loggerFactory,
            Metrics = _metrics,
            ManageLocalAddresses = options.Transport == VrrpTransportKind.Raw,
            NotifyTimeout = options.ActionTimeout,
            ActionTimeout = options.ActionTimeout,
            DrainTimeout = options.DrainTimeout,
            StateFileInterval = options.StateFileInterval,
            LocalAddressActionFactory = LocalAddressActionFactory,
        });
        VrrpRuntime? previous;
        lock (_lock)
        {
            if (_runtime is { IsRunning: true })
            {
                throw new InvalidOperationException("The VRRP service is already started.");
            }

            previous = _runtime;
            _runtime = runtime;
        }

        if (previous is not null)
        {
            await previous.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await runtime.StartAsync(configuration, cancellationToken).ConfigureAwait(false);
            LogStarted(_logger, configuration.Configuration.Instances.Length, options.Transport);
        }
        catch (Exception e)
        {
            LogStartFailed(_logger, e.Message);
            lock (_lock)
            {
                _runtime = null;
            }

            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Applies <paramref name="options"/> to the running instances as <c>vrrp run</c> does on SIGHUP: an instance kept
    /// with the same addresses goes on (a MASTER stays MASTER), a removed or re-addressed one stops gracefully.
    /// </summary>
    /// <param name="options">The new options; validated first (nothing changes when they are invalid).</param>
    /// <param name="cancellationToken">Cuts the old configuration's drain short.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The service is not started.</exception>
    public Task<VrrpReloadResult> ReloadAsync(VrrpOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        VrrpRuntimeConfiguration configuration = ToRuntimeConfiguration(options);
        VrrpRuntime runtime = Runtime ?? throw new InvalidOperationException("The VRRP service is not started.");
        return runtime.ReloadAsync(configuration, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        VrrpRuntime? runtime;
        lock (_lock)
        {
            runtime = _runtime;
        }

        if (runtime is null)
        {
            return;
        }

        bool drained = await runtime.StopAsync(cancellationToken).ConfigureAwait(false);
        LogStopped(_logger, drained);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        VrrpRuntime? runtime;
        lock (_lock)
        {
            runtime = _runtime;
        }

        if (runtime is not null)
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
        }
    }

    private VrrpRuntimeConfiguration ToRuntimeConfiguration(VrrpOptions options) => new(options.ToConfiguration())
    {
        Actions = [.. _actions],
        Trackers = [.. _trackerRegistrations.Select(r => new VrrpRuntimeTracker(r.Options, () => r.Factory(_services)))],
    };

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "VRRP: started {Count} instance(s) on the {Transport} transport")]
    private static partial void LogStarted(ILogger logger, int count, VrrpTransportKind transport);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "VRRP: start-up failed: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "VRRP: stopped (failover actions drained: {Drained})")]
    private static partial void LogStopped(ILogger logger, bool drained);
}
