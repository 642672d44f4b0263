using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
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
        Option<FileInfo> stateFile = new("--state-file")
        {
            Description = "Where to keep the keepalived-compatible JSON snapshot read by 'vrrp status' (updated on every transition and every 5 s).",
            DefaultValueFactory = _ => new FileInfo(VrrpStateFileWriter.DefaultPath),
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
            parse.GetValue(stateFile)!,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellation));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo configFile, bool ignoreUnsupported, TimeSpan notifyTimeout, LogLevel logLevel, FileInfo stateFile,
        TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        KeepalivedConfiguration configuration;
        try
        {
            configuration = ConfigurationFile.Import(configFile.FullName);
        }
        catch (ConfigSyntaxException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return BadConfiguration;
        }
        catch (KeepalivedConfigException e)
        {
            foreach (ConfigDiagnostic diagnostic in e.Errors)
            {
                await error.WriteLineAsync($"error: {diagnostic}").ConfigureAwait(false);
            }

            return BadConfiguration;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"error: cannot read {configFile.FullName}: {e.Message}").ConfigureAwait(false);
            return BadConfiguration;
        }

        foreach (ConfigDiagnostic warning in configuration.Warnings)
        {
            await error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        foreach (ConfigDiagnostic unsupported in configuration.Unsupported)
        {
            await error.WriteLineAsync($"{(ignoreUnsupported ? "warning" : "error")}: {unsupported}").ConfigureAwait(false);
        }

        if (configuration.Unsupported.Length > 0 && !ignoreUnsupported)
        {
            await error.WriteLineAsync("error: the configuration uses what this version does not support yet (listed above); running without it could fail over differently than keepalived would. Pass --ignore-unsupported to run anyway.").ConfigureAwait(false);
            return BadConfiguration;
        }

        if (configuration.Instances.IsEmpty)
        {
            await error.WriteLineAsync($"error: {configFile.FullName} has no vrrp_instance.").ConfigureAwait(false);
            return BadConfiguration;
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
            return BadConfiguration;
        }

        foreach (string unknown in (aws?.Actions ?? []).Select(a => a.Instance).OfType<string>().Where(name => !configuration.Instances.Any(i => i.Options.Name == name)))
        {
            await error.WriteLineAsync($"error: {configFile.FullName}: Aws: no instance named '{unknown}'").ConfigureAwait(false);
            return BadConfiguration;
        }

        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(logLevel)
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddFilter((_, _) => true));
        ILogger logger = loggers.CreateLogger("vrrp");

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
                    return CannotStart;
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
                _ = new VrrpSyncGroup(group.Name, group.Instances.Select(name => routers[name]));
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

            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

            VirtualRouter[] all = [.. nodes.SelectMany(n => n.Node.Routers)];
            state = new VrrpStateFileWriter(stateFile.FullName, () => all, metrics, TimeProvider.System, TimeSpan.FromSeconds(5), loggers.CreateLogger("Vrrp.Hosting"));
            state.Start();
            foreach ((_, VrrpNode node) in nodes)
            {
                node.Start();
            }

            foreach (TrackerRunner runner in trackers)
            {
                runner.Start();
            }

            LogStarted(logger, configuration.Instances.Length, configFile.FullName);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM / SIGINT: leave gracefully.
            }

            foreach (TrackerRunner runner in trackers)
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }

            foreach ((_, VrrpNode node) in nodes)
            {
                node.Shutdown();
            }

            await pipeline.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await actionMetrics.ConfigureAwait(false);
            return Stopped;
        }
        finally
        {
            if (state is not null)
            {
                await state.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>The stable, parseable transition line.</summary>
    public static string FormatTransition(VrrpTransition transition) => string.Create(CultureInfo.InvariantCulture,
        $"vrrp-transition instance={transition.InstanceName} from={Upper(transition.OldState)} to={Upper(transition.NewState)} priority={transition.EffectivePriority} reason={transition.Reason} time={transition.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}");

    private static string Upper(VrrpState state) => state.ToString().ToUpperInvariant();

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Started {Count} VRRP instance(s) from {File}")]
    private static partial void LogStarted(ILogger logger, int count, string file);
}
