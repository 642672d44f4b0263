using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Tracking;
using Vrrp.Transports;

namespace Vrrp.Runtime;

/// <summary>
/// The one VRRP runtime every host shares (<c>AddVrrp</c>'s hosted service, <c>vrrp run</c>): builds the transports,
/// instances, sync groups, trackers, failover actions and state file of a <see cref="VrrpRuntimeConfiguration"/>, starts
/// them, reloads them with a diff and stops them gracefully (priority 0 first, then the actions drain).
/// </summary>
/// <remarks>
/// <para><b>Isolation from the host.</b> On the system clock, advertisement and Master_Down timers fire on the runtime's
/// own thread and received packets arrive on the transport's, so nothing the host does with its thread pool delays an
/// advertisement. Subscribers of <see cref="StateChanged"/> and of the routers' events each get their own queue: one
/// that throws or blocks neither skips the others nor holds the protocol up. Failover actions run in lanes
/// (<see cref="FailoverLanes"/>): local addresses never wait for a script or a cloud call.</para>
/// <para><b>Start-up errors</b> come out of <see cref="StartAsync"/>: a transport that cannot open
/// (<see cref="VrrpTransportException"/>), a notify FIFO that cannot be made (<see cref="IOException"/>), invalid options
/// (<see cref="ArgumentException"/>); nothing is left running.</para>
/// </remarks>
public sealed partial class VrrpRuntime : IAsyncDisposable
{
    /// <summary>How long a stop waits for subscribers to be handed the last transitions.</summary>
    private static readonly TimeSpan SubscriberFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly VrrpRuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeProvider _protocolTime;
    private readonly ProtocolClock? _protocolClock;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly VrrpMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly RouterEvent<VrrpTransition> _stateChanged = new();
    private VrrpTransportException? _fault;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Generation? _current;
    private IReadOnlyList<VirtualRouter> _stoppedRouters = [];
    private bool _disposed;

    /// <summary>Creates a runtime; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Transports, clock, logs and timeouts; copied.</param>
    /// <exception cref="ArgumentException"><see cref="VrrpRuntimeOptions.Transports"/> is missing or a timeout is not positive.</exception>
    public VrrpRuntime(VrrpRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        if (_options.Transports is null)
        {
            throw new ArgumentException($"{nameof(VrrpRuntimeOptions.Transports)}: required.", nameof(options));
        }

        if (_options.NotifyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(VrrpRuntimeOptions.NotifyTimeout)}: must be positive; got {_options.NotifyTimeout}.", nameof(options));
        }

        _loggers = _options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("Vrrp.Runtime");
        _time = _options.TimeProvider ?? TimeProvider.System;
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            _protocolClock = new ProtocolClock("vrrp-protocol", _logger);
            _protocolTime = _protocolClock;
        }
        else
        {
            _protocolTime = _time;
        }

        _ownsMetrics = _options.Metrics is null;
        _metrics = _options.Metrics ?? new VrrpMetrics();
    }

    /// <summary>
    /// Raised after every state change of every instance, across reloads, in order per instance. Each subscriber has
    /// its own queue on the thread pool: one that throws or blocks (a hung console) skips no other and never holds up
    /// the protocol; a subscriber 1024 events behind loses the newest (counted as <c>subscriber</c> in <c>vrrp.events.suppressed</c>).
    /// </summary>
    public event EventHandler<VrrpTransition>? StateChanged { add => _stateChanged.Add(value); remove => _stateChanged.Remove(value); }

    /// <summary>The running instances, in configuration order; after a stop, the stopped ones (in state STOP); empty before the first start.</summary>
    public IReadOnlyList<VirtualRouter> Routers => Volatile.Read(ref _current)?.Routers ?? Volatile.Read(ref _stoppedRouters);

    /// <summary>Whether a configuration is running (between <see cref="StartAsync"/> and <see cref="StopAsync"/>).</summary>
    public bool IsRunning => Volatile.Read(ref _current) is not null;

    /// <summary>The running failover action pipeline (null when stopped): its statistics and event stream.</summary>
    public FailoverActionPipeline? Pipeline => Volatile.Read(ref _current)?.Pipeline;

    /// <summary>The configuration running (null when stopped).</summary>
    public VrrpRuntimeConfiguration? Configuration => Volatile.Read(ref _current)?.Source;

    /// <summary>The metrics the runtime reports to.</summary>
    public VrrpMetrics Metrics => _metrics;

    /// <summary>The managed id of the thread the protocol timers fire on; null when a custom clock drives them.</summary>
    public int? ProtocolThreadId => _protocolClock?.ThreadId;

    /// <summary>A keepalived-compatible snapshot of the running instances.</summary>
    public VrrpSnapshot GetSnapshot() => VrrpSnapshot.Create(Routers, _metrics.GetLastTransitions());

    /// <summary>
    /// The wiring of the running configuration, one line per part in a stable order: transports and their instances,
    /// local addresses (device, label), actions (lane, timeout), trackers and whom they feed, sync groups, FIFOs, the
    /// state file. Two hosts given the same configuration describe the same wiring.
    /// </summary>
    public IReadOnlyList<string> Describe() => Volatile.Read(ref _current)?.Wiring ?? [];

    /// <summary>Builds and starts <paramref name="configuration"/> (after its <c>vrrp_startup_delay</c>, if any; trackers run from the start).</summary>
    /// <param name="configuration">What to run.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when everything is running (the instances themselves may still be in their start-up delay).</returns>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="VrrpTransportException">A transport cannot be opened (no CAP_NET_RAW, an address not on this host).</exception>
    /// <exception cref="IOException">A notify FIFO cannot be made.</exception>
    /// <exception cref="ArgumentException">An instance, action or tracker is invalid; the message names it.</exception>
    public async Task StartAsync(VrrpRuntimeConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is not null)
            {
                throw new InvalidOperationException("The VRRP runtime is already started.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            Generation generation = await StartGenerationAsync(configuration, new HashSet<string>(), applyStartupDelay: true).ConfigureAwait(false);
            Volatile.Write(ref _current, generation);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces the running configuration with <paramref name="configuration"/>, as keepalived does on SIGHUP: an
    /// instance kept with the same addresses goes on (a MASTER resumes as MASTER at once: no failover, reason
    /// <see cref="VrrpTransitionReason.Reload"/>); a removed or re-addressed one stops gracefully (priority 0). The same
    /// fingerprint changes nothing. When the new configuration cannot start, the previous one starts again.
    /// </summary>
    /// <param name="configuration">The new configuration, already validated.</param>
    /// <param name="cancellationToken">Cuts the old configuration's drain short.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="VrrpTransportException">Neither the new nor the previous configuration could start (nothing runs).</exception>
    public async Task<VrrpReloadResult> ReloadAsync(VrrpRuntimeConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Generation running = _current ?? throw new InvalidOperationException("The VRRP runtime is not started.");
            if (configuration.Fingerprint is not null && configuration.Fingerprint == running.Source.Fingerprint)
            {
                LogReloadUnchanged(_logger);
                return new VrrpReloadResult(VrrpReloadOutcome.Unchanged, [.. running.Routers.Select(r => r.Name)], null);
            }

            HashSet<string> continuing = Continuing(running.Source.Configuration, configuration.Configuration);
            LogReloading(_logger, configuration.Configuration.Instances.Length, continuing.Count);
            IReadOnlySet<string> resume = await running.StopAsync(continuing, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, null);
            try
            {
                Volatile.Write(ref _current, await StartGenerationAsync(configuration, resume, applyStartupDelay: false).ConfigureAwait(false));
                return new VrrpReloadResult(VrrpReloadOutcome.Reloaded, [.. continuing.Order(StringComparer.Ordinal)], null);
            }
            catch (Exception e) when (e is VrrpTransportException or IOException or ArgumentException or System.ComponentModel.Win32Exception)
            {
                LogReloadCannotStart(_logger, e.Message);
                Volatile.Write(ref _current, await StartGenerationAsync(running.Source, new HashSet<string>(), applyStartupDelay: false).ConfigureAwait(false));
                return new VrrpReloadResult(VrrpReloadOutcome.RestoredPrevious, [], e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Leaves gracefully: trackers stop, every MASTER sends its priority-0 advertisement, then the queued failover
    /// actions drain (bounded by <see cref="VrrpRuntimeOptions.DrainTimeout"/> or <paramref name="cancellationToken"/>).
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    /// <returns><see langword="true"/> when every queued action ran; <see langword="false"/> when some were cancelled (or nothing was running).</returns>
    public async Task<bool> StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            Generation? running = _current;
            if (running is null)
            {
                return false;
            }

            await running.StopAsync(new HashSet<string>(), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _stoppedRouters, running.Routers);
            Volatile.Write(ref _current, null);

            // The last transitions (STOP) reach the subscribers before the host goes on to exit; a blocked one is not waited for long.
            await _stateChanged.FlushAsync(SubscriberFlushTimeout).ConfigureAwait(false);
            foreach (VirtualRouter router in running.Routers)
            {
                await router.StateChangedEvent.FlushAsync(SubscriberFlushTimeout).ConfigureAwait(false);
            }

            return running.Drained;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops as <see cref="StopAsync"/> does, then ends the protocol thread.</summary>
    /// <returns>A task that completes when everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _disposed = true;
        _protocolClock?.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    /// <summary>The instances of <paramref name="running"/> that <paramref name="reloaded"/> keeps with the same local addresses.</summary>
    internal static HashSet<string> Continuing(KeepalivedConfiguration running, KeepalivedConfiguration reloaded)
    {
        static string Addresses(KeepalivedInstance instance) =>
            string.Join(';', instance.LocalAddresses.Select(a => $"{a.Address}|{a.Device ?? instance.Interface}|{a.Label}|{a.Excluded}").Order(StringComparer.Ordinal));
        Dictionary<string, string> before = running.Instances.ToDictionary(i => i.Options.Name, Addresses, StringComparer.Ordinal);
        return [.. reloaded.Instances.Where(i => before.TryGetValue(i.Options.Name, out string? addresses) && addresses == Addresses(i)).Select(i => i.Options.Name)];
    }

    private async Task<Generation> StartGenerationAsync(VrrpRuntimeConfiguration source, IReadOnlySet<string> resume, bool applyStartupDelay)
    {
        Generation generation = new(this, source);
        try
        {
            generation.Build();
            generation.Start(resume, applyStartupDelay);
            return generation;
        }
        catch (Exception e)
        {
            LogStartFailed(_logger, e.Message);
            await generation.CleanUpAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OnRouterStateChanged(object? sender, VrrpTransition transition) => _stateChanged.Raise(sender ?? this, transition, isolate: true, _logger, "VRRP runtime");

    /// <summary>
    /// Why the runtime stopped on its own: a transport could no longer receive and could not recover (the raw socket
    /// reopens itself first). <see langword="null"/> otherwise.
    /// </summary>
    public VrrpTransportException? Fault => Volatile.Read(ref _fault);

    /// <summary>
    /// Raised once, after the runtime stopped on its own because a transport could no longer receive: a node that sends
    /// but does not hear its peers would stay MASTER beside another one, so it leaves (priority 0) instead. A host
    /// should exit non-zero (<c>vrrp run</c> does) so that its supervisor restarts it.
    /// </summary>
    public event EventHandler<VrrpTransportException>? Faulted;

    private void OnTransportFaulted(object? sender, VrrpTransportException fault)
    {
        if (Interlocked.CompareExchange(ref _fault, fault, null) is not null)
        {
            return;
        }

        LogTransportFaulted(_logger, fault.Message);
        _ = Task.Run(async () =>
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile: stopped already.
            }
            finally
            {
                Faulted?.Invoke(this, fault);
            }
        });
    }

    [LoggerMessage(EventId = 1217, Level = LogLevel.Critical, Message = "VRRP: stopping every instance: {Reason}")]
    private static partial void LogTransportFaulted(ILogger logger, string reason);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "VRRP: started {Count} instance(s)")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Error, Message = "VRRP: start-up failed: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "VRRP: the instances start in {Seconds:0.###} s (vrrp_startup_delay)")]
    private static partial void LogStartupDelayed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "VRRP: stopped (failover actions drained: {Drained})")]
    private static partial void LogStopped(ILogger logger, bool drained);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "VRRP: reloading {Count} instance(s); {Continuing} kept with the same addresses go on (a MASTER stays MASTER), the others stop gracefully or start")]
    private static partial void LogReloading(ILogger logger, int count, int continuing);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Information, Message = "VRRP: the reloaded configuration is unchanged; nothing to do")]
    private static partial void LogReloadUnchanged(ILogger logger);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Error, Message = "VRRP: the reloaded configuration could not start ({Reason}); running the previous configuration again")]
    private static partial void LogReloadCannotStart(ILogger logger, string reason);

    [LoggerMessage(EventId = 1216, Level = LogLevel.Warning, Message = "VRRP instance {Instance}: {Addresses} not added locally: no interface (neither dev nor the instance's interface)")]
    private static partial void LogNoInterface(ILogger logger, string instance, string addresses);

    /// <summary>Everything one configuration runs, from its start to its stop.</summary>
    private sealed class Generation(VrrpRuntime runtime, VrrpRuntimeConfiguration source)
    {
        private readonly Lock _lock = new();
        private readonly List<(IVrrpTransport Transport, VrrpNode Node)> _nodes = [];
        private readonly List<TrackerRunner> _trackers = [];
        private readonly List<IDisposable> _ownedTrackers = [];
        private readonly List<NotifyFifoAction> _fifos = [];
        private readonly List<IDisposable> _ownedActions = [];
        private readonly List<string> _wiring = [];
        private FailoverActionPipeline? _pipeline;
        private Task _actionMetrics = Task.CompletedTask;
        private VrrpStateFileWriter? _stateFile;
        private ITimer? _delayedStart;
        private IReadOnlySet<string> _resume = new HashSet<string>();
        private bool _stopped;

        public VrrpRuntimeConfiguration Source { get; } = source;

        public IReadOnlyList<VirtualRouter> Routers { get; private set; } = [];

        public FailoverActionPipeline? Pipeline => _pipeline;

        public IReadOnlyList<string> Wiring => _wiring;

        public bool Drained { get; private set; }

        private KeepalivedConfiguration Configuration => Source.Configuration;

        public void Build()
        {
            VrrpRuntimeOptions options = runtime._options;
            TimeProvider time = runtime._time;
            ILoggerFactory loggers = runtime._loggers;
            _pipeline = new FailoverActionPipeline(
                new FailoverActionPipelineOptions { ActionTimeout = options.ActionTimeout, DrainTimeout = options.DrainTimeout }, time, loggers.CreateLogger("Vrrp.Actions"));
            _actionMetrics = _pipeline.RecordActionDurationsAsync(runtime._metrics, CancellationToken.None);
            AddActions(_pipeline, options, time, loggers);

            foreach (IGrouping<(IPAddress Source, string? Interface), KeepalivedInstance> group in Configuration.Instances.GroupBy(i => (i.Options.UnicastSource!, i.Interface)))
            {
                IVrrpTransport transport;
                try
                {
                    transport = options.Transports!.Create(group.Key.Source, group.Key.Interface);
                }
                catch (VrrpTransportException e)
                {
                    throw new VrrpTransportException($"cannot start instances on {group.Key.Source}: {e.Message}", e);
                }

                VrrpNode node;
                try
                {
                    node = new VrrpNode(transport, runtime._protocolTime, loggers) { IsolateSubscribers = true };
                }
                catch
                {
                    transport.Dispose();
                    throw;
                }

                _nodes.Add((transport, node));
                transport.Faulted += runtime.OnTransportFaulted;
                foreach (KeepalivedInstance instance in group)
                {
                    VirtualRouter router = node.AddRouter(instance.Options);
                    _pipeline.Attach(router);
                    router.StateChangedEvent.Add(runtime.OnRouterStateChanged, inline: true);
                }

                runtime._metrics.Attach(node);
                _wiring.Add(Invariant($"transport {group.Key.Source} interface={group.Key.Interface ?? "-"} instances={string.Join(',', group.Select(i => i.Options.Name))}"));
            }

            Dictionary<string, VirtualRouter> routers = _nodes.SelectMany(n => n.Node.Routers).ToDictionary(r => r.Name, StringComparer.Ordinal);
            foreach (KeepalivedSyncGroup group in Configuration.SyncGroups)
            {
                _pipeline.Attach(new VrrpSyncGroup(group.Name, group.Instances.Select(name => routers[name])));
                _wiring.Add($"sync-group {group.Name} members={string.Join(',', group.Instances)}");
            }

            CreateTrackers(routers, options, time, loggers);
            Routers = [.. Configuration.Instances.Select(i => routers[i.Options.Name])];
            foreach (FailoverActionPlacement placement in _pipeline.Placements)
            {
                _wiring.Add(Invariant($"action {placement.Name} lane={placement.Lane} timeout={placement.Timeout.TotalSeconds:0.###}s kind={placement.Kind}"));
            }

            string? statePath = options.StateFile ?? Configuration.StateFile ?? options.DefaultStateFile;
            if (!string.IsNullOrWhiteSpace(statePath))
            {
                _stateFile = new VrrpStateFileWriter(statePath, () => Routers, runtime._metrics, time, options.StateFileInterval, loggers.CreateLogger("Vrrp.Hosting"));
                _wiring.Add($"state-file {_stateFile.Path}");
            }
        }

        public void Start(IReadOnlySet<string> resume, bool applyStartupDelay)
        {
            _stateFile?.Start();
            foreach (TrackerRunner runner in _trackers)
            {
                runner.Start();
            }

            _resume = resume;
            TimeSpan delay = Configuration.StartupDelay;
            if (applyStartupDelay && delay > TimeSpan.Zero)
            {
                // keepalived vrrp_startup_delay: the instances start later; trackers already run, so their state is known.
                LogStartupDelayed(runtime._logger, delay.TotalSeconds);
                lock (_lock)
                {
                    _delayedStart = runtime._time.CreateTimer(static state => ((Generation)state!).StartRouters(), this, delay, Timeout.InfiniteTimeSpan);
                }
            }
            else
            {
                StartRouters();
            }

            LogStarted(runtime._logger, Configuration.Instances.Length);
        }

        /// <summary>
        /// Stops: trackers first; the instances in <paramref name="continuing"/> do not resign (a reload keeps them), the
        /// others leave gracefully (a MASTER sends priority 0); then the actions drain and everything is released.
        /// </summary>
        /// <returns>The continuing instances that were MASTER: the next configuration resumes them as MASTER.</returns>
        public async Task<IReadOnlySet<string>> StopAsync(IReadOnlySet<string> continuing, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _stopped = true;
                _delayedStart?.Dispose();
                _delayedStart = null;
            }

            foreach (TrackerRunner runner in _trackers)
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }

            HashSet<string> resume = [];
            foreach (VirtualRouter router in Routers)
            {
                if (!continuing.Contains(router.Name))
                {
                    router.Shutdown();
                }
                else if (router.State == VrrpState.Master)
                {
                    resume.Add(router.Name);
                }
            }

            Drained = _pipeline is null || await _pipeline.StopAsync(cancellationToken).ConfigureAwait(false);
            await CleanUpAsync().ConfigureAwait(false);
            LogStopped(runtime._logger, Drained);
            return resume;
        }

        public async Task CleanUpAsync()
        {
            lock (_lock)
            {
                _stopped = true;
                _delayedStart?.Dispose();
                _delayedStart = null;
            }

            foreach (TrackerRunner runner in _trackers)
            {
                runner.Dispose();
            }

            foreach (IDisposable tracker in _ownedTrackers)
            {
                tracker.Dispose();
            }

            if (_pipeline is not null)
            {
                await _pipeline.DisposeAsync().ConfigureAwait(false);
            }

            await _actionMetrics.ConfigureAwait(false);
            if (_stateFile is not null)
            {
                await _stateFile.DisposeAsync().ConfigureAwait(false);
            }

            foreach (NotifyFifoAction fifo in _fifos)
            {
                await fifo.DisposeAsync().ConfigureAwait(false);
            }

            foreach (IDisposable action in _ownedActions)
            {
                action.Dispose();
            }

            foreach ((IVrrpTransport transport, VrrpNode node) in _nodes)
            {
                runtime._metrics.Detach(node);
                foreach (VirtualRouter router in node.Routers)
                {
                    router.StateChangedEvent.Remove(runtime.OnRouterStateChanged);
                }

                node.Dispose();
                transport.Dispose();
            }
        }

        private void StartRouters()
        {
            lock (_lock)
            {
                // Under the lock: a delayed start never races a stop (StopAsync sets _stopped first).
                if (_stopped)
                {
                    return;
                }

                // A reload: the instances this process held MASTER with a moment ago go on as MASTER at once.
                foreach (VirtualRouter router in Routers.Where(r => _resume.Contains(r.Name) && r.State == VrrpState.Initialize))
                {
                    router.StartResumingMaster();
                }

                foreach ((_, VrrpNode node) in _nodes)
                {
                    node.Start();
                }
            }
        }

        private void AddActions(FailoverActionPipeline pipeline, VrrpRuntimeOptions options, TimeProvider time, ILoggerFactory loggers)
        {
            // Per event, the address lane runs first (keepalived adds the VIPs, then notifies); the scripts, the FIFO,
            // the cloud movers and the host's actions follow in their own lanes.
            if (options.ManageLocalAddresses)
            {
                ILogger addressLogger = loggers.CreateLogger("Vrrp.Actions.LocalAddress");
                Func<LocalAddressActionOptions, IFailoverAction> create = options.LocalAddressActionFactory ?? (o => new LocalAddressAction(o, time, addressLogger));
                foreach (KeepalivedInstance instance in Configuration.Instances)
                {
                    foreach (IGrouping<(string? Device, string? Label), KeepalivedLocalAddress> addresses in instance.LocalAddresses.GroupBy(a => (a.Device, a.Label)))
                    {
                        string? device = addresses.Key.Device ?? instance.Interface;
                        if (device is null)
                        {
                            LogNoInterface(runtime._logger, instance.Options.Name, string.Join(", ", addresses.Select(a => a.Address)));
                            _wiring.Add($"address {instance.Options.Name} not-added={string.Join(',', addresses.Select(a => a.Address))} (no interface)");
                            continue;
                        }

                        LocalAddressActionOptions local = new()
                        {
                            Name = addresses.Key.Label is null ? $"vip:{instance.Options.Name}:{device}" : $"vip:{instance.Options.Name}:{device}:{addresses.Key.Label}",
                            InstanceName = instance.Options.Name,
                            Interface = device,
                            Label = addresses.Key.Label,
                            Addresses = [.. addresses.Select(a => a.Address)],
                            GarpMasterDelay = instance.Garp.MasterDelay,
                            GarpMasterRepeat = instance.Garp.MasterRepeat,
                            GarpMasterRefresh = instance.Garp.MasterRefresh,
                            GarpMasterRefreshRepeat = instance.Garp.MasterRefreshRepeat,
                            GarpLowerPriorityDelay = instance.Garp.LowerPriorityDelay,
                            GarpLowerPriorityRepeat = instance.Garp.LowerPriorityRepeat,
                            GarpInterval = instance.Garp.GarpInterval,
                            GnaInterval = instance.Garp.GnaInterval,
                        };
                        IFailoverAction action = create(local);
                        if (action is IDisposable disposable)
                        {
                            _ownedActions.Add(disposable);
                        }

                        pipeline.Add(action, lane: FailoverLanes.Address);
                        _wiring.Add(Invariant($"address {instance.Options.Name} dev={device} label={local.Label ?? "-"} addresses={string.Join(',', local.Addresses)}"));
                    }
                }
            }

            ILogger notifyLogger = loggers.CreateLogger("Vrrp.Actions.Notify");
            foreach (KeepalivedInstance instance in Configuration.Instances.Where(i => i.Notify.Any))
            {
                NotifyScriptActionOptions notify = NotifyScriptActionOptions.FromKeepalived(instance.Options.Name, instance.Notify, options.NotifyTimeout);
                notify.PassEnvironment = [.. Configuration.ScriptEnvironment];
                pipeline.Add(new NotifyScriptAction(notify, time, notifyLogger));
            }

            foreach (KeepalivedSyncGroup group in Configuration.SyncGroups.Where(g => g.Notify.Any))
            {
                NotifyScriptActionOptions notify = NotifyScriptActionOptions.FromKeepalived(group.Name, group.Notify, options.NotifyTimeout);
                notify.InstanceName = null;
                notify.SyncGroupName = group.Name;
                notify.PassEnvironment = [.. Configuration.ScriptEnvironment];
                pipeline.Add(new NotifyScriptAction(notify, time, notifyLogger));
            }

            // As keepalived: the FIFO gets its line after the scripts of the same event were started (same lane, after them).
            foreach (KeepalivedNotifyFifo definition in Configuration.NotifyFifos)
            {
                NotifyFifoAction fifo = NotifyFifoAction.FromKeepalived(definition, Configuration, loggers.CreateLogger("Vrrp.Actions.Fifo"), Configuration.ScriptEnvironment);
                try
                {
                    fifo.Open();
                }
                catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
                {
                    fifo.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    throw new IOException($"{definition.Location}: {definition.Keyword}: {e.Message}", e);
                }

                _fifos.Add(fifo);
                pipeline.Add(fifo);
                _wiring.Add($"fifo {definition.Keyword} {definition.Path}");
            }

            foreach (IFailoverAction action in Source.Actions)
            {
                pipeline.Add(action);
            }
        }

        private void CreateTrackers(Dictionary<string, VirtualRouter> routers, VrrpRuntimeOptions options, TimeProvider time, ILoggerFactory loggers)
        {
            ILogger trackingLogger = loggers.CreateLogger("Vrrp.Tracking");
            List<(TrackerOptions Options, IVrrpTracker Tracker)> all = [];
            foreach (KeepalivedTracker definition in Configuration.Trackers)
            {
                TrackerOptions trackerOptions = definition.Options;
                if (trackerOptions is ScriptTrackerOptions script && Configuration.ScriptEnvironment.Length > 0)
                {
                    trackerOptions = script.With(Configuration.ScriptEnvironment);
                }

                all.Add((definition.Options, TrackerFactory.Create(trackerOptions, trackingLogger)));
            }

            foreach (VrrpRuntimeTracker tracker in Source.Trackers)
            {
                all.Add((tracker.Options, tracker.Create()));
            }

            foreach ((TrackerOptions trackerOptions, IVrrpTracker tracker) in all)
            {
                if (tracker is IDisposable disposable)
                {
                    _ownedTrackers.Add(disposable);
                }

                TrackerRunner runner = new(tracker, trackerOptions, time, trackingLogger);
                _trackers.Add(runner);
                List<string> fed = [];
                foreach (KeepalivedInstance instance in Configuration.Instances.Where(i => i.Options.Trackers.Any(t => t.Name == trackerOptions.Name)))
                {
                    runner.Attach(routers[instance.Options.Name], trackerOptions.Name);
                    fed.Add(instance.Options.Name);
                }

                _wiring.Add(Invariant($"tracker {trackerOptions.Name} kind={tracker.GetType().Name} interval={runner.Interval.TotalSeconds:0.###}s instances={string.Join(',', fed)}"));
            }
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
