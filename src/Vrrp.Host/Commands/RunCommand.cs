using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vrrp.Actions;
using Vrrp.Aws;
using Vrrp.Configuration;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Runtime;
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
/// Exit codes: 0 stopped by a signal, 2 bad configuration, 3 could not start (privilege, address), 4 a socket stopped receiving and could not be reopened (the instances left first, priority 0).
/// </summary>
internal static partial class RunCommand
{
    public const int Stopped = 0;
    public const int BadConfiguration = 2;
    public const int CannotStart = 3;

    /// <summary>The exit code when the runtime stopped on its own: a socket stopped receiving and could not be reopened.</summary>
    public const int TransportFailed = 4;

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
        Option<string[]> scriptEnv = new("--script-env")
        {
            Description = "An environment variable the scripts get from this process (repeatable; NAME, or a prefix PREFIX*). "
                + "Scripts get PATH, LANG, LANGUAGE, TZ and LC_* and nothing else by default; keepalived passes all of it.",
            AllowMultipleArgumentsPerToken = false,
        };
        Command command = new("run", "Run the VRRP instances of a keepalived.conf or JSON configuration (needs root or CAP_NET_RAW).")
        {
            config, stateFile, ignoreUnsupported, notifyTimeout, logLevel, scriptEnv,
        };
        command.SetAction((parse, cancellation) => RunAsync(
            parse.GetValue(config)!,
            parse.GetValue(ignoreUnsupported),
            TimeSpan.FromSeconds(parse.GetValue(notifyTimeout)),
            parse.GetValue(logLevel),
            parse.GetValue(stateFile),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellation,
            parse.GetValue(scriptEnv)));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo configFile, bool ignoreUnsupported, TimeSpan notifyTimeout, LogLevel logLevel, FileInfo? stateFile,
        TextWriter output, TextWriter error, CancellationToken cancellation, IReadOnlyList<string>? scriptEnvironment = null)
    {
        scriptEnvironment ??= [];
        if (scriptEnvironment.FirstOrDefault(name => !EnvironmentPattern().IsMatch(name)) is { } bad)
        {
            await error.WriteLineAsync($"error: --script-env: a variable name, or a prefix ending in '*'; got '{bad}'").ConfigureAwait(false);
            return CannotStart;
        }

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
        // SIGHUP: reload, as `systemctl reload` does for keepalived. Signals are queued; the loop below reads them.
        Channel<bool> reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; reloads.Writer.TryWrite(true); });

        await using VrrpRuntime runtime = new(RuntimeOptions(loggers, notifyTimeout, stateFile));
        VrrpTransportException? fault = null;
        runtime.Faulted += (_, e) =>
        {
            // The runtime has already left (priority 0); exit non-zero so that the supervisor restarts us.
            Volatile.Write(ref fault, e);
            stop.Cancel();
        };
        object outputLock = new();
        runtime.StateChanged += (_, transition) =>
        {
            lock (outputLock)
            {
                output.WriteLine(FormatTransition(transition));
                output.Flush();
            }
        };

        List<FloatingAddressAction> cloud = [.. loaded.Aws?.CreateActions(TimeProvider.System, loggers) ?? []];
        try
        {
            try
            {
                await runtime.StartAsync(ToRuntimeConfiguration(loaded, cloud, scriptEnvironment), stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VrrpTransportException or IOException or System.ComponentModel.Win32Exception)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CannotStart;
            }

            LogStarted(logger, loaded.Configuration.Instances.Length, configFile.FullName);
            if (IsSighupIgnored())
            {
                // Inherited (nohup, some supervisors): .NET then never sees the signal, and a reload would silently not happen.
                LogSighupIgnored(logger);
            }
            while (true)
            {
                await reloads.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
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
                    continue;
                }

                List<FloatingAddressAction> next = candidate.Fingerprint == loaded.Fingerprint ? [] : [.. candidate.Aws?.CreateActions(TimeProvider.System, loggers) ?? []];
                VrrpReloadResult result;
                try
                {
                    result = await runtime.ReloadAsync(ToRuntimeConfiguration(candidate, next, scriptEnvironment), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is VrrpTransportException or IOException or System.ComponentModel.Win32Exception)
                {
                    // Neither the new nor the previous configuration could start again: nothing runs.
                    await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    cloud.AddRange(next);
                    return CannotStart;
                }

                switch (result.Outcome)
                {
                    case VrrpReloadOutcome.Unchanged:
                        LogReloadUnchanged(logger, configFile.FullName);
                        break;
                    case VrrpReloadOutcome.Reloaded:
                        LogReloading(logger, configFile.FullName, candidate.Configuration.Instances.Length);
                        Dispose(cloud);
                        (loaded, cloud) = (candidate, next);
                        break;
                    default:
                        // The reloaded configuration could not start (an address missing, a FIFO, ...): the previous one runs again.
                        LogReloadCannotStart(logger, configFile.FullName);
                        await error.WriteLineAsync($"error: {result.Error?.Message}").ConfigureAwait(false);
                        await error.WriteLineAsync("error: the reloaded configuration could not start; running the previous one again").ConfigureAwait(false);
                        Dispose(next);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM / SIGINT: leave gracefully (priority 0, then the actions drain).
            await runtime.StopAsync(CancellationToken.None).ConfigureAwait(false);
            if (Volatile.Read(ref fault) is { } failed)
            {
                await error.WriteLineAsync($"error: {failed.Message}").ConfigureAwait(false);
                return TransportFailed;
            }

            return Stopped;
        }
        finally
        {
            Dispose(cloud);
        }
    }

    /// <summary>How <c>vrrp run</c> runs its configurations: raw sockets, the system clock (protocol timers on their own thread), its timeouts and state file.</summary>
    internal static VrrpRuntimeOptions RuntimeOptions(ILoggerFactory loggers, TimeSpan notifyTimeout, FileInfo? stateFile) => new()
    {
        Transports = new RawSocketTransportFactory(loggers),
        LoggerFactory = loggers,
        NotifyTimeout = notifyTimeout,
        // A transition runs at most two scripts, each bounded by the notify timeout; the drain waits for that much.
        DrainTimeout = (2 * notifyTimeout) + TimeSpan.FromSeconds(1),
        StateFile = stateFile?.FullName,
        DefaultStateFile = VrrpStateFileWriter.DefaultPath,
    };

    /// <summary>What the runtime runs for a loaded file: its configuration and the AWS actions of its "Aws" section.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\*?$")]
    private static partial Regex EnvironmentPattern();

    internal static VrrpRuntimeConfiguration ToRuntimeConfiguration(Loaded loaded, IEnumerable<IFailoverAction> cloud, IReadOnlyList<string>? scriptEnvironment = null) =>
        new(scriptEnvironment is { Count: > 0 }
            ? loaded.Configuration with { ScriptEnvironment = [.. loaded.Configuration.ScriptEnvironment.Union(scriptEnvironment, StringComparer.Ordinal)] }
            : loaded.Configuration)
    {
        Actions = [.. cloud],
        Fingerprint = loaded.Fingerprint,
    };

    private static void Dispose(List<FloatingAddressAction> actions)
    {
        foreach (FloatingAddressAction action in actions)
        {
            action.Dispose();
        }

        actions.Clear();
    }

    /// <summary>Reads, validates and imports <paramref name="configFile"/> as <c>vrrp run</c> does, reporting problems on <paramref name="error"/>.</summary>
    internal static async Task<(Loaded? Loaded, int Exit)> LoadAsync(FileInfo configFile, bool ignoreUnsupported, TextWriter error)
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

    /// <summary>A validated configuration, and a digest of its files' contents (includes too) to tell whether a reload changes anything.</summary>
    internal sealed record Loaded(KeepalivedConfiguration Configuration, AwsHostConfiguration? Aws, string Fingerprint);

    /// <summary>The stable, parseable transition line.</summary>
    public static string FormatTransition(VrrpTransition transition) => string.Create(CultureInfo.InvariantCulture,
        $"vrrp-transition instance={transition.InstanceName} from={Upper(transition.OldState)} to={Upper(transition.NewState)} priority={transition.EffectivePriority} reason={transition.Reason} time={transition.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}");

    private static string Upper(VrrpState state) => state.ToString().ToUpperInvariant();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "The VRRP instances start in {Seconds:0.###} s (vrrp_startup_delay)")]
    private static partial void LogStartupDelayed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "SIGHUP is ignored in this process (inherited, e.g. from nohup): 'kill -HUP' will not reload the configuration; start it without nohup, or restart it to reload")]
    private static partial void LogSighupIgnored(ILogger logger);

    /// <summary>Whether this process inherited SIGHUP as ignored (the SigIgn mask in /proc/self/status, bit 0).</summary>
    internal static bool IsSighupIgnored()
    {
        try
        {
            return IsSighupIgnored(File.ReadLines("/proc/self/status"));
        }
        catch (IOException)
        {
            return false;
        }
    }

    internal static bool IsSighupIgnored(IEnumerable<string> status)
    {
        string? line = status.FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask) && (mask & 1) != 0;
    }

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
