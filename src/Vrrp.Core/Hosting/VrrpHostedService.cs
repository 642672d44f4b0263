using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Routing;
using Vrrp.Tracking;
using Vrrp.Transports;

namespace Vrrp.Hosting;

/// <summary>
/// Runs the configured VRRP instances inside a .NET host. <see cref="StartAsync"/> validates the options, opens the
/// transports, creates the routers, sync groups, trackers and the failover action pipeline, and starts them: every
/// start-up error (invalid options, no CAP_NET_RAW, an address not on the host) is thrown from it, nothing is started in
/// the background where it could fail unseen. <see cref="StopAsync"/> leaves gracefully: trackers stop, every MASTER
/// sends its priority-0 advertisement, then the queued failover actions drain (bounded by <see cref="VrrpOptions.DrainTimeout"/>).
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
    private readonly List<(IVrrpTransport Transport, VrrpNode Node)> _nodes = [];
    private readonly List<TrackerRunner> _trackers = [];
    private readonly List<IDisposable> _ownedTrackers = [];
    private FailoverActionPipeline? _pipeline;
    private Task _actionMetrics = Task.CompletedTask;
    private VrrpStateFileWriter? _stateFile;
    private IReadOnlyList<VirtualRouter> _routers = [];
    private ITimer? _delayedStart;
    private readonly List<NotifyFifoAction> _fifos = [];
    private bool _started;

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

    /// <summary>The running instances (empty before <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<VirtualRouter> Routers { get { lock (_lock) { return _routers; } } }

    /// <summary>The failover action pipeline (null before <see cref="StartAsync"/>): its statistics and event stream.</summary>
    public FailoverActionPipeline? Pipeline { get { lock (_lock) { return _pipeline; } } }

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
        KeepalivedConfiguration configuration = options.ToConfiguration();
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("The VRRP service is already started.");
            }

            _started = true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        FailoverActionPipeline pipeline = new(options.ToPipelineOptions(), _time, _loggerFactory.CreateLogger("Vrrp.Actions"));
        try
        {
            _actionMetrics = pipeline.RecordActionDurationsAsync(_metrics, CancellationToken.None);
            AddActions(pipeline, configuration, options);

            foreach (IGrouping<(IPAddress Source, string? Interface), KeepalivedInstance> group in configuration.Instances.GroupBy(i => (i.Options.UnicastSource!, i.Interface)))
            {
                IVrrpTransport transport = _transports.Create(group.Key.Source, group.Key.Interface);
                VrrpNode node;
                try
                {
                    node = new VrrpNode(transport, _time, _loggerFactory);
                }
                catch
                {
                    transport.Dispose();
                    throw;
                }

                _nodes.Add((transport, node));
                foreach (KeepalivedInstance instance in group)
                {
                    VirtualRouter router = node.AddRouter(instance.Options);
                    pipeline.Attach(router);
                }

                _metrics.Attach(node);
            }

            Dictionary<string, VirtualRouter> routers = _nodes.SelectMany(n => n.Node.Routers).ToDictionary(r => r.Name, StringComparer.Ordinal);
            foreach (KeepalivedSyncGroup group in configuration.SyncGroups)
            {
                pipeline.Attach(new VrrpSyncGroup(group.Name, group.Instances.Select(name => routers[name])));
            }

            CreateTrackers(configuration, routers);
            lock (_lock)
            {
                _pipeline = pipeline;
                _routers = [.. configuration.Instances.Select(i => routers[i.Options.Name])];
            }

            if (!string.IsNullOrWhiteSpace(options.StateFile))
            {
                _stateFile = new VrrpStateFileWriter(options.StateFile, () => Routers, _metrics, _time, options.StateFileInterval, _logger);
                _stateFile.Start();
            }

            foreach (TrackerRunner runner in _trackers)
            {
                runner.Start();
            }

            if (configuration.StartupDelay > TimeSpan.Zero)
            {
                // keepalived vrrp_startup_delay: the instances start later (trackers already run, so their state is known).
                LogStartupDelayed(_logger, configuration.StartupDelay.TotalSeconds);
                lock (_lock)
                {
                    _delayedStart = _time.CreateTimer(static state => ((VrrpHostedService)state!).StartNodes(), this, configuration.StartupDelay, Timeout.InfiniteTimeSpan);
                }
            }
            else
            {
                StartNodes();
            }

            LogStarted(_logger, configuration.Instances.Length, options.Transport);
        }
        catch (Exception e)
        {
            LogStartFailed(_logger, e.Message);
            await CleanUpAsync(pipeline).ConfigureAwait(false);
            lock (_lock)
            {
                _pipeline = null;
                _routers = [];
                _started = false;
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        FailoverActionPipeline? pipeline;
        lock (_lock)
        {
            if (!_started)
            {
                return;
            }

            _started = false;
            pipeline = _pipeline;
            _delayedStart?.Dispose();
            _delayedStart = null;
        }

        foreach (TrackerRunner runner in _trackers)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }

        foreach ((_, VrrpNode node) in _nodes)
        {
            node.Shutdown();
        }

        bool drained = pipeline is null || await pipeline.StopAsync(cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(pipeline).ConfigureAwait(false);
        LogStopped(_logger, drained);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void StartNodes()
    {
        lock (_lock)
        {
            // Under the lock: a delayed start never races a stop (StopAsync clears _started first).
            if (!_started)
            {
                return;
            }

            foreach ((_, VrrpNode node) in _nodes)
            {
                node.Start();
            }
        }
    }

    private void AddActions(FailoverActionPipeline pipeline, KeepalivedConfiguration configuration, VrrpOptions options)
    {
        // As keepalived: local addresses first (only on real sockets), then notify scripts, then the application's actions.
        if (options.Transport == VrrpTransportKind.Raw)
        {
            foreach (KeepalivedInstance instance in configuration.Instances.Where(i => i.Interface is not null && !i.LocalAddresses.IsEmpty))
            {
                LocalAddressActionOptions local = new()
                {
                    Name = $"vip:{instance.Options.Name}:{instance.Interface}",
                    InstanceName = instance.Options.Name,
                    Interface = instance.Interface!,
                    Addresses = [.. instance.LocalAddresses.Select(a => a.Address)],
                    GarpMasterDelay = instance.Garp.MasterDelay,
                    GarpMasterRepeat = instance.Garp.MasterRepeat,
                    GarpMasterRefresh = instance.Garp.MasterRefresh,
                    GarpMasterRefreshRepeat = instance.Garp.MasterRefreshRepeat,
                    GarpLowerPriorityDelay = instance.Garp.LowerPriorityDelay,
                    GarpLowerPriorityRepeat = instance.Garp.LowerPriorityRepeat,
                    GarpInterval = instance.Garp.GarpInterval,
                    GnaInterval = instance.Garp.GnaInterval,
                };
                pipeline.Add(new LocalAddressAction(local, _time, _loggerFactory.CreateLogger("Vrrp.Actions.LocalAddress")));
            }
        }

        foreach (KeepalivedInstance instance in configuration.Instances.Where(i => i.Notify.Any))
        {
            pipeline.Add(NotifyScriptAction.FromKeepalived(instance, options.ActionTimeout, _time, _loggerFactory.CreateLogger("Vrrp.Actions.Notify")));
        }

        foreach (KeepalivedSyncGroup group in configuration.SyncGroups.Where(g => g.Notify.Any))
        {
            pipeline.Add(NotifyScriptAction.ForSyncGroup(group, options.ActionTimeout, _time, _loggerFactory.CreateLogger("Vrrp.Actions.Notify")));
        }

        foreach (KeepalivedNotifyFifo definition in configuration.NotifyFifos)
        {
            NotifyFifoAction fifo = NotifyFifoAction.FromKeepalived(definition, configuration, _loggerFactory.CreateLogger("Vrrp.Actions.Fifo"));
            fifo.Open();
            _fifos.Add(fifo);
            pipeline.Add(fifo);
        }

        foreach (IFailoverAction action in _actions)
        {
            pipeline.Add(action);
        }
    }

    private void CreateTrackers(KeepalivedConfiguration configuration, Dictionary<string, VirtualRouter> routers)
    {
        ILogger trackingLogger = _loggerFactory.CreateLogger("Vrrp.Tracking");
        List<(TrackerOptions Options, IVrrpTracker Tracker)> all = [];
        foreach (KeepalivedTracker definition in configuration.Trackers)
        {
            all.Add((definition.Options, TrackerFactory.Create(definition.Options, trackingLogger)));
        }

        foreach (VrrpTrackerRegistration registration in _trackerRegistrations)
        {
            all.Add((registration.Options, registration.Factory(_services)));
        }

        foreach ((TrackerOptions trackerOptions, IVrrpTracker tracker) in all)
        {
            if (tracker is IDisposable disposable)
            {
                _ownedTrackers.Add(disposable);
            }

            TrackerRunner runner = new(tracker, trackerOptions, _time, trackingLogger);
            _trackers.Add(runner);
            foreach (KeepalivedInstance instance in configuration.Instances.Where(i => i.Options.Trackers.Any(t => t.Name == trackerOptions.Name)))
            {
                runner.Attach(routers[instance.Options.Name], trackerOptions.Name);
            }
        }
    }

    private async Task CleanUpAsync(FailoverActionPipeline? pipeline)
    {
        foreach (TrackerRunner runner in _trackers)
        {
            runner.Dispose();
        }

        _trackers.Clear();
        foreach (IDisposable tracker in _ownedTrackers)
        {
            tracker.Dispose();
        }

        _ownedTrackers.Clear();
        if (pipeline is not null)
        {
            await pipeline.DisposeAsync().ConfigureAwait(false);
        }

        await _actionMetrics.ConfigureAwait(false);
        foreach (NotifyFifoAction fifo in _fifos)
        {
            await fifo.DisposeAsync().ConfigureAwait(false);
        }

        _fifos.Clear();
        if (_stateFile is not null)
        {
            await _stateFile.DisposeAsync().ConfigureAwait(false);
            _stateFile = null;
        }

        foreach ((IVrrpTransport transport, VrrpNode node) in _nodes)
        {
            _metrics.Detach(node);
            node.Dispose();
            transport.Dispose();
        }

        _nodes.Clear();
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "VRRP: started {Count} instance(s) on the {Transport} transport")]
    private static partial void LogStarted(ILogger logger, int count, VrrpTransportKind transport);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "VRRP: start-up failed: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "VRRP: the instances start in {Seconds:0.###} s (vrrp_startup_delay)")]
    private static partial void LogStartupDelayed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "VRRP: stopped (failover actions drained: {Drained})")]
    private static partial void LogStopped(ILogger logger, bool drained);
}
