using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vrrp.Actions;
using Vrrp.Aws;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Tracking;
using Vrrp.Transports;
using Vrrp.Transports.Raw;

namespace Vrrp.Host.Commands;

/// <summary>
/// <c>vrrp run --config FILE</c>: runs the instances of a keepalived.conf (or of the JSON form) on raw sockets until SIGTERM/SIGINT,
/// keeping the keepalived-compatible JSON snapshot in a state file (<c>--state-file</c>, default /run/vrrp/vrrp.json) for <c>vrrp status</c>.
/// Every transition is one line on stdout: <c>vrrp-transition instance=NAME from=STATE to=STATE priority=N reason=R time=ISO8601</c>.
/// SIGHUP reloads: a changed, valid file replaces the running instances — an instance kept with the same addresses goes
/// on (a MASTER stays MASTER, no failover), a removed or re-addressed one stops gracefully; an unchanged or invalid file
/// changes nothing.
/// Exit codes: 0 stopped by a signal, 2 bad configuration, 3 could not start (privilege, address).
/// </summary>
internal static partial class RunCommand
{
    public const int Stopped = 0;
    public const int BadConfiguration = 2;
    public const int CannotStart = 3;

    public static Command Create()
    {
        Option<FileInfo> config = new("--config", "-f") { Description = "keepalived.conf or JSON configuration (.json, or content starting with '{') to run.", Required = true };
        Option<FileInfo?> stateFile = new("--state-file")
        {
            Description = "Where to keep the keepalived-compatible JSON snapshot read by 'vrrp status' (updated on every transition and every 5 s). "
                + $"Default: the configuration's json_file_location (JSON: StateFile), else {VrrpStateFileWriter.DefaultPath}.",
        };
        Option<bool> ignoreUnsupported = new("--ignore-unsupported")
        {
            Description = "Start even when the file uses keywords this version does not support yet (they are listed either way).",
        };
        Option<double> notifyTimeout = new("--notify-timeout")
        {
            Description = "Seconds a notify script may run before it is killed.",
            DefaultValueFactory = _ => 30,
        };
        Option<LogLevel> logLevel = new("--log-level") { Description = "Log level on stderr.", DefaultValueFactory = _ => LogLevel.Information };
        Command command = new("run", "Run the VRRP instances of a keepalived.conf or JSON configuration (needs root or CAP_NET_RAW).")
        {
            config, stateFile, ignoreUnsupported, notifyTimeout, logLevel,
        };
        command.SetAction((parse, cancellation) => RunAsync(
            parse.GetValue(config)!,
            parse.GetValue(ignoreUnsupported),
            TimeSpan.FromSeconds(parse.GetValue(notifyTimeout)),
            parse.GetValue(logLevel),
            parse.GetValue(stateFile),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellation));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo configFile, bool ignoreUnsupported, TimeSpan notifyTimeout, LogLevel logLevel, FileInfo? stateFile,
        TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        (Loaded? loaded, int exit) = await LoadAsync(configFile, ignoreUnsupported, error).ConfigureAwait(false);
        if (loaded is null)
        {
            return exit;
        }

        // Logs go to stderr at --log-level and above; stdout carries only the vrrp-transition lines.
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(logLevel)
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        ILogger logger = loggers.CreateLogger("vrrp");

        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // SIGHUP: reload, as `systemctl reload` does for keepalived. Signals are queued; the running generation reads them.
        Channel<bool> reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; reloads.Writer.TryWrite(true); });

        Generation generation = new(configFile, ignoreUnsupported, notifyTimeout, stateFile, output, error, loggers, reloads.Reader, stop.Token);
        Loaded? previous = null;
        bool first = true;
        IReadOnlySet<string> resume = new HashSet<string>();
        while (true)
        {
            (int result, Loaded? next, IReadOnlySet<string> masters) = await generation.RunAsync(loaded, first, resume).ConfigureAwait(false);
            if (result == CannotStart && previous is not null)
            {
                // The reloaded configuration could not start (an address missing, a FIFO, ...): go back to the one that ran.
                LogReloadCannotStart(logger, configFile.FullName);
                await error.WriteLineAsync($"error: the reloaded configuration could not start; running the previous one again").ConfigureAwait(false);
                (loaded, previous, resume) = (previous, null, new HashSet<string>());
                continue;
            }

            if (next is null)
            {
                return result;
            }

            (previous, loaded, first, resume) = (loaded, next, false, masters);
        }
    }

    private static async Task<(Loaded? Loaded, int Exit)> LoadAsync(FileInfo configFile, bool ignoreUnsupported, TextWriter error)
    {
        KeepalivedConfiguration configuration;
        string fingerprint;
        try
        {
            configuration = ConfigurationFile.Import(configFile.FullName);
            fingerprint = ConfigurationFile.Fingerprint(configFile.FullName);
        }
        catch (ConfigSyntaxException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return (null, BadConfiguration);
        }
        catch (KeepalivedConfigException e)
        {
            foreach (ConfigDiagnostic diagnostic in e.Errors)
            {
                await error.WriteLineAsync($"error: {diagnostic}").ConfigureAwait(false);
            }

            return (null, BadConfiguration);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"error: cannot read {configFile.FullName}: {e.Message}").ConfigureAwait(false);
            return (null, BadConfiguration);
        }

        foreach (ConfigDiagnostic warning in configuration.Warnings)
        {
            await error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        ConfigurationFile.WriteUnsupported(configuration.Unsupported, ignoreUnsupported ? "warning: unsupported" : "error: unsupported", error);

        if (configuration.Unsupported.Length > 0 && !ignoreUnsupported)
        {
            await error.WriteLineAsync("error: the configuration uses what this version does not support yet (listed above); running without it could fail over differently than keepalived would. Pass --ignore-unsupported to run anyway.").ConfigureAwait(false);
            return (null, BadConfiguration);
        }

        if (configuration.Instances.IsEmpty)
        {
            await error.WriteLineAsync($"error: {configFile.FullName} has no vrrp_instance.").ConfigureAwait(false);
            return (null, BadConfiguration);
        }

        // The JSON form may carry an "Aws" section: the addresses each instance's MASTER moves (Vrrp.Aws).
        AwsHostConfiguration? aws;
        try
        {
            aws = AwsHostConfiguration.FromJsonFile(configFile.FullName);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return (null, BadConfiguration);
        }

        foreach (string unknown in (aws?.Actions ?? []).Select(a => a.Instance).OfType<string>().Where(name => !configuration.Instances.Any(i => i.Options.Name == name)))
        {
            await error.WriteLineAsync($"error: {configFile.FullName}: Aws: no instance named '{unknown}'").ConfigureAwait(false);
            return (null, BadConfiguration);
        }

        return (new Loaded(configuration, aws, fingerprint), Stopped);

    }

    /// <summary>What one configuration runs until a signal: the instances, their actions and trackers, the state file.</summary>
    private sealed class Generation(
        FileInfo configFile,
        bool ignoreUnsupported,
        TimeSpan notifyTimeout,
        FileInfo? stateFile,
        TextWriter output,
        TextWriter error,
        ILoggerFactory loggers,
        ChannelReader<bool> reloads,
        CancellationToken stopping)
    {
        /// <summary>
        /// Runs <paramref name="loaded"/> until SIGTERM/SIGINT (returns <see cref="Stopped"/> and no next configuration) or
        /// a SIGHUP whose file differs and is valid (returns it as next, after a graceful stop of this one).
        /// </summary>
        public async Task<(int Exit, Loaded? Next, IReadOnlySet<string> ResumeMasters)> RunAsync(Loaded loaded, bool first, IReadOnlySet<string> resume)
        {
            HashSet<string> resumeMasters = [];
            KeepalivedConfiguration configuration = loaded.Configuration;
            AwsHostConfiguration? aws = loaded.Aws;
            ILogger logger = loggers.CreateLogger("vrrp");
            Loaded? next = null;
            List<(IVrrpTransport Transport, VrrpNode Node)> nodes = [];
            // One serial pipeline for every instance: notify scripts run one at a time in transition order (keepalived's
            // FIFO order), never on a router's thread. A transition runs at most two scripts, each bounded by the timeout.
            await using FailoverActionPipeline pipeline = new(
                new FailoverActionPipelineOptions { ActionTimeout = (2 * notifyTimeout) + TimeSpan.FromSeconds(1), DrainTimeout = (2 * notifyTimeout) + TimeSpan.FromSeconds(1) },
                TimeProvider.System,
                loggers.CreateLogger("Vrrp.Actions"));
            using VrrpMetrics metrics = new();
            Task actionMetrics = pipeline.RecordActionDurationsAsync(metrics);
            VrrpStateFileWriter? state = null;
            // Per event, actions run in the order added: local addresses first (keepalived adds the VIPs, then notifies).
            foreach (KeepalivedInstance instance in configuration.Instances)
            {
                foreach (IGrouping<(string? Device, string? Label), KeepalivedLocalAddress> addresses in instance.LocalAddresses.GroupBy(a => (a.Device, a.Label)))
                {
                    LocalAddressActionOptions options = new()
                    {
                        Name = $"vip:{instance.Options.Name}:{addresses.Key.Device ?? instance.Interface}",
                        InstanceName = instance.Options.Name,
                        Interface = addresses.Key.Device ?? instance.Interface!,
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
                    pipeline.Add(new LocalAddressAction(options, TimeProvider.System, loggers.CreateLogger("Vrrp.Actions.LocalAddress")));
                }
            }

            foreach (KeepalivedInstance instance in configuration.Instances.Where(i => i.Notify.Any))
            {
                pipeline.Add(NotifyScriptAction.FromKeepalived(instance, notifyTimeout, TimeProvider.System, loggers.CreateLogger("Vrrp.Actions.Notify")));
            }

            foreach (KeepalivedSyncGroup group in configuration.SyncGroups.Where(g => g.Notify.Any))
            {
                pipeline.Add(NotifyScriptAction.ForSyncGroup(group, notifyTimeout, TimeProvider.System, loggers.CreateLogger("Vrrp.Actions.Notify")));
            }

            // As keepalived: the FIFO gets its line after the scripts of the same event were started.
            List<NotifyFifoAction> fifos = [];
            foreach (KeepalivedNotifyFifo definition in configuration.NotifyFifos)
            {
                NotifyFifoAction fifo = NotifyFifoAction.FromKeepalived(definition, configuration, loggers.CreateLogger("Vrrp.Actions.Fifo"));
                try
                {
                    fifo.Open();
                }
                catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
                {
                    await error.WriteLineAsync($"error: {definition.Location}: {definition.Keyword}: {e.Message}").ConfigureAwait(false);
                    foreach (NotifyFifoAction opened in fifos)
                    {
                        await opened.DisposeAsync().ConfigureAwait(false);
                    }

                    return (CannotStart, null, resumeMasters);
                }

                fifos.Add(fifo);
                pipeline.Add(fifo);
            }

            if (aws is not null)
            {
                // After the local addresses and scripts: a cloud API call is the slowest action of a transition.
                foreach (FloatingAddressAction action in aws.CreateActions(TimeProvider.System, loggers))
                {
                    pipeline.Add(action, FloatingAddressActionFactory.RecommendedActionTimeout(aws.Failover));
                }
            }

            List<TrackerRunner> trackers = [];

            object outputLock = new();
            try
            {
                foreach (IGrouping<(IPAddress Source, string? Interface), KeepalivedInstance> group in configuration.Instances.GroupBy(i => (i.Options.UnicastSource!, i.Interface)))
                {
                    RawSocketTransport transport;
                    try
                    {
                        transport = RawSocketTransport.Open(new RawSocketTransportOptions { LocalAddress = group.Key.Source, Interface = group.Key.Interface },
                            loggers.CreateLogger("Vrrp.Transports.Raw"));
                    }
                    catch (VrrpTransportException e)
                    {
                        await error.WriteLineAsync($"error: cannot start instances on {group.Key.Source}: {e.Message}").ConfigureAwait(false);
                        return (CannotStart, null, resumeMasters);
                    }

                    VrrpNode node = new(transport, TimeProvider.System, loggers);
                    nodes.Add((transport, node));
                    foreach (KeepalivedInstance instance in group)
                    {
                        VirtualRouter router = node.AddRouter(instance.Options);
                        router.StateChanged += (_, transition) =>
                        {
                            lock (outputLock)
                            {
                                output.WriteLine(FormatTransition(transition));
                                output.Flush();
                            }
                        };
                        pipeline.Attach(router);
                    }

                    metrics.Attach(node);
                }

                Dictionary<string, VirtualRouter> routers = nodes.SelectMany(n => n.Node.Routers).ToDictionary(r => r.Name, StringComparer.Ordinal);
                foreach (KeepalivedSyncGroup group in configuration.SyncGroups)
                {
                    pipeline.Attach(new VrrpSyncGroup(group.Name, group.Instances.Select(name => routers[name])));
                }

                foreach (KeepalivedTracker definition in configuration.Trackers)
                {
                    TrackerRunner runner = new(TrackerFactory.Create(definition.Options, loggers.CreateLogger("Vrrp.Tracking")), definition.Options, TimeProvider.System, loggers.CreateLogger("Vrrp.Tracking"));
                    trackers.Add(runner);
                    foreach (KeepalivedInstance instance in configuration.Instances.Where(i => i.Options.Trackers.Any(t => t.Name == definition.Name)))
                    {
                        runner.Attach(routers[instance.Options.Name], definition.Name);
                    }
                }

                VirtualRouter[] all = [.. nodes.SelectMany(n => n.Node.Routers)];
                // --state-file, else the file's json_file_location (JSON: StateFile), else the default.
                string statePath = stateFile?.FullName ?? Path.GetFullPath(configuration.StateFile ?? VrrpStateFileWriter.DefaultPath);
                state = new VrrpStateFileWriter(statePath, () => all, metrics, TimeProvider.System, TimeSpan.FromSeconds(5), loggers.CreateLogger("Vrrp.Hosting"));
                state.Start();
                foreach (TrackerRunner runner in trackers)
                {
                    runner.Start();
                }

                try
                {
                    if (first && configuration.StartupDelay > TimeSpan.Zero)
                    {
                        // keepalived vrrp_startup_delay: the instances start later; trackers already run, so their state is known.
                        LogStartupDelayed(logger, configuration.StartupDelay.TotalSeconds);
                        await Task.Delay(configuration.StartupDelay, TimeProvider.System, stopping).ConfigureAwait(false);
                    }

                    // A reload: the instances this process held MASTER with a moment ago go on as MASTER at once.
                    foreach (VirtualRouter router in nodes.SelectMany(n => n.Node.Routers).Where(r => resume.Contains(r.Name)))
                    {
                        router.StartResumingMaster();
                    }

                    foreach ((_, VrrpNode node) in nodes)
                    {
                        node.Start();
                    }

                    LogStarted(logger, configuration.Instances.Length, configFile.FullName);
                    next = await WaitForReloadAsync(loaded, logger).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM / SIGINT: leave gracefully.
                }

                foreach (TrackerRunner runner in trackers)
                {
                    await runner.DisposeAsync().ConfigureAwait(false);
                }

                // On a reload, an instance that goes on unchanged in its addresses does not resign: no priority 0, no STOP
                // actions (its addresses stay); the next generation resumes it as MASTER if it is MASTER now. The others,
                // and every instance on SIGTERM, leave gracefully.
                HashSet<string> continuing = next is null ? [] : Continuing(configuration, next.Configuration);
                foreach (VirtualRouter router in nodes.SelectMany(n => n.Node.Routers))
                {
                    if (!continuing.Contains(router.Name))
                    {
                        router.Shutdown();
                    }
                    else if (router.State == VrrpState.Master)
                    {
                        resumeMasters.Add(router.Name);
                    }
                }

                await pipeline.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await actionMetrics.ConfigureAwait(false);
                return (Stopped, next, resumeMasters);
            }
            finally
            {
                if (state is not null)
                {
                    await state.DisposeAsync().ConfigureAwait(false);
                }

                foreach (NotifyFifoAction fifo in fifos)
                {
                    await fifo.DisposeAsync().ConfigureAwait(false);
                }

                foreach (TrackerRunner runner in trackers)
                {
                    runner.Dispose();
                }

                foreach ((IVrrpTransport transport, VrrpNode node) in nodes)
                {
                    node.Dispose();
                    transport.Dispose();
                }
            }
        }

        /// <summary>The instances of <paramref name="running"/> that the reloaded configuration keeps with the same local addresses.</summary>
        private static HashSet<string> Continuing(KeepalivedConfiguration running, KeepalivedConfiguration reloaded)
        {
            static string Addresses(KeepalivedInstance instance) =>
                string.Join(';', instance.LocalAddresses.Select(a => $"{a.Address}|{a.Device ?? instance.Interface}|{a.Label}|{a.Excluded}").Order(StringComparer.Ordinal));
            Dictionary<string, string> before = running.Instances.ToDictionary(i => i.Options.Name, Addresses, StringComparer.Ordinal);
            return [.. reloaded.Instances.Where(i => before.TryGetValue(i.Options.Name, out string? addresses) && addresses == Addresses(i)).Select(i => i.Options.Name)];
        }

        /// <summary>Reads SIGHUPs until one brings a changed, valid configuration; a bad or unchanged file keeps this one running.</summary>
        private async Task<Loaded> WaitForReloadAsync(Loaded running, ILogger logger)
        {
            while (true)
            {
                await reloads.ReadAsync(stopping).ConfigureAwait(false);
                StringWriter problems = new();
                (Loaded? candidate, _) = await LoadAsync(configFile, ignoreUnsupported, problems).ConfigureAwait(false);
                string report = problems.ToString().TrimEnd();
                if (report.Length > 0)
                {
                    await error.WriteLineAsync(report).ConfigureAwait(false);
                }

                if (candidate is null)
                {
                    LogReloadRejected(logger, configFile.FullName);
                }
                else if (candidate.Fingerprint == running.Fingerprint)
                {
                    LogReloadUnchanged(logger, configFile.FullName);
                }
                else
                {
                    LogReloading(logger, configFile.FullName, candidate.Configuration.Instances.Length);
                    return candidate;
                }
            }
        }
    }

    /// <summary>A validated configuration, and a digest of its files' contents (includes too) to tell whether a reload changes anything.</summary>
    private sealed record Loaded(KeepalivedConfiguration Configuration, AwsHostConfiguration? Aws, string Fingerprint);

    /// <summary>The stable, parseable transition line.</summary>
    public static string FormatTransition(VrrpTransition transition) => string.Create(CultureInfo.InvariantCulture,
        $"vrrp-transition instance={transition.InstanceName} from={Upper(transition.OldState)} to={Upper(transition.NewState)} priority={transition.EffectivePriority} reason={transition.Reason} time={transition.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}");

    private static string Upper(VrrpState state) => state.ToString().ToUpperInvariant();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "The VRRP instances start in {Seconds:0.###} s (vrrp_startup_delay)")]
    private static partial void LogStartupDelayed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Started {Count} VRRP instance(s) from {File}")]
    private static partial void LogStarted(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "SIGHUP: {File} is changed; reloading {Count} instance(s): those kept with the same addresses go on (a MASTER stays MASTER), the others stop gracefully or start")]
    private static partial void LogReloading(ILogger logger, string file, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "SIGHUP: {File} is unchanged (includes too); nothing to reload")]
    private static partial void LogReloadUnchanged(ILogger logger, string file);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "SIGHUP: {File} is not valid (errors above); the running configuration stays")]
    private static partial void LogReloadRejected(ILogger logger, string file);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "The configuration reloaded from {File} could not start; running the previous configuration again")]
    private static partial void LogReloadCannotStart(ILogger logger, string file);
}
