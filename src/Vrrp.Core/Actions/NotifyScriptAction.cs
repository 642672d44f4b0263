using System.Collections.Immutable;
using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Actions;

/// <summary>keepalived's notify scripts of one instance (or of every instance), as argv lists (no shell).</summary>
public sealed class NotifyScriptActionOptions
{
    /// <summary>The instance whose events run the scripts; <see langword="null"/> for every instance of the pipeline.</summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// A sync group's scripts instead (keepalived <c>vrrp_sync_group</c>'s <c>notify*</c>): the scripts run on that group's
    /// transitions (<see cref="FailoverEventKind.SyncGroupChanged"/>), the generic one with <c>GROUP name STATE 0</c>
    /// appended; instance events are ignored. <see cref="InstanceName"/> must then be <see langword="null"/>.
    /// </summary>
    public string? SyncGroupName { get; set; }

    /// <summary><c>notify_master</c>: run on MASTER, as is.</summary>
    public IList<string> Master { get; set; } = [];

    /// <summary><c>notify_backup</c>: run on BACKUP, as is.</summary>
    public IList<string> Backup { get; set; } = [];

    /// <summary><c>notify_fault</c>: run on FAULT, as is.</summary>
    public IList<string> Fault { get; set; } = [];

    /// <summary><c>notify_stop</c>: run on STOP, as is.</summary>
    public IList<string> Stop { get; set; } = [];

    /// <summary><c>notify</c>: run after the state's own script on every transition, with <c>INSTANCE name STATE priority</c> appended.</summary>
    public IList<string> Generic { get; set; } = [];

    /// <summary><c>notify_master_rx_lower_pri</c>: run, as is, when a MASTER hears a lower-priority advertisement.</summary>
    public IList<string> MasterRxLowerPriority { get; set; } = [];

    /// <summary>How long one script may run before it and its children are killed (default 30 s).</summary>
    public TimeSpan ScriptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Environment variables the scripts get from this process beyond <c>PATH</c>, <c>LANG</c>, <c>LANGUAGE</c>,
    /// <c>TZ</c> and <c>LC_*</c> (a trailing <c>*</c> matches a prefix); nothing else is passed.
    /// </summary>
    public IList<string> PassEnvironment { get; set; } = [];

    /// <summary>Options from an imported instance's scripts.</summary>
    /// <param name="instanceName">The instance.</param>
    /// <param name="scripts">Its scripts.</param>
    /// <param name="scriptTimeout">The timeout of each script.</param>
    /// <returns>The options.</returns>
    public static NotifyScriptActionOptions FromKeepalived(string instanceName, NotifyScripts scripts, TimeSpan scriptTimeout)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        return new NotifyScriptActionOptions
        {
            InstanceName = instanceName,
            Master = [.. scripts.Master],
            Backup = [.. scripts.Backup],
            Fault = [.. scripts.Fault],
            Stop = [.. scripts.Stop],
            Generic = [.. scripts.Generic],
            MasterRxLowerPriority = [.. scripts.MasterRxLowerPriority],
            ScriptTimeout = scriptTimeout,
        };
    }

    /// <summary>The problems with these settings, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        Check(nameof(Master), Master);
        Check(nameof(Backup), Backup);
        Check(nameof(Fault), Fault);
        Check(nameof(Stop), Stop);
        Check(nameof(Generic), Generic);
        Check(nameof(MasterRxLowerPriority), MasterRxLowerPriority);
        if (ScriptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(ScriptTimeout)}: must be positive; got {ScriptTimeout}.");
        }

        if (InstanceName is { } name && string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{nameof(InstanceName)}: must not be blank (null means every instance).");
        }

        if (SyncGroupName is { } group && string.IsNullOrWhiteSpace(group))
        {
            errors.Add($"{nameof(SyncGroupName)}: must not be blank.");
        }
        else if (SyncGroupName is not null && InstanceName is not null)
        {
            errors.Add($"{nameof(SyncGroupName)}: a sync group's scripts belong to no instance; leave {nameof(InstanceName)} null.");
        }

        return errors;

        void Check(string field, IList<string>? argv)
        {
            if (argv is null)
            {
                errors.Add($"{field}: must not be null (use an empty list for none).");
            }
            else if (argv.Count > 0 && string.IsNullOrWhiteSpace(argv[0]))
            {
                errors.Add($"{field}: the program (first element) must not be blank.");
            }
            else if (argv.Any(a => a is null))
            {
                errors.Add($"{field}: arguments must not be null.");
            }
        }
    }

    internal NotifyScriptActionOptions Clone() => new()
    {
        InstanceName = InstanceName,
        SyncGroupName = SyncGroupName,
        Master = [.. Master],
        Backup = [.. Backup],
        Fault = [.. Fault],
        Stop = [.. Stop],
        Generic = [.. Generic],
        MasterRxLowerPriority = [.. MasterRxLowerPriority],
        ScriptTimeout = ScriptTimeout,
        PassEnvironment = [.. PassEnvironment],
    };
}

/// <summary>A notify script exited with a non-zero status, ran past its timeout, or could not start.</summary>
public sealed class NotifyScriptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotifyScriptException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public NotifyScriptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public NotifyScriptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// keepalived's notify scripts as a failover action: on each transition the state's script
/// (<c>notify_master</c>/<c>_backup</c>/<c>_fault</c>/<c>_stop</c>) then the generic <c>notify</c> script with
/// <c>INSTANCE name STATE priority</c> appended; on a lower-priority advertisement heard as MASTER,
/// <c>notify_master_rx_lower_pri</c>. Each runs as argv (no shell), is awaited (so scripts run in transition order,
/// unlike keepalived's fire-and-forget), and is killed with its children at <see cref="NotifyScriptActionOptions.ScriptTimeout"/>.
/// </summary>
/// <remarks>A script that fails does not stop the next one of the same event; the event's run then fails with a
/// <see cref="NotifyScriptException"/> listing what went wrong (a timeout surfaces as <see cref="TimeoutException"/>).
/// Scripts inherit the process's standard output and error, as keepalived's do.</remarks>
public sealed partial class NotifyScriptAction : IFailoverAction, IFailoverEventFilter, IFailoverActionPolicy
{
    private readonly NotifyScriptActionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the action.</summary>
    /// <param name="options">The scripts; validated and copied.</param>
    /// <param name="timeProvider">The clock for the script timeout (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public NotifyScriptAction(NotifyScriptActionOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(NotifyScriptActionOptions)}: {string.Join(" ", errors)}", nameof(options));
        }

        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Name = _options.SyncGroupName is { } group ? $"notify-group:{group}" : _options.InstanceName is null ? "notify" : $"notify:{_options.InstanceName}";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The <see cref="FailoverLanes.Notify"/> lane.</summary>
    public string Lane => FailoverLanes.Notify;

    /// <summary>
    /// Two script timeouts and a second: an event runs at most two scripts (its own and the generic <c>notify</c>), each
    /// bounded by <see cref="NotifyScriptActionOptions.ScriptTimeout"/>, so a slow one never gets the other cancelled.
    /// </summary>
    public TimeSpan? TimeoutPerEvent => (2 * _options.ScriptTimeout) + TimeSpan.FromSeconds(1);

    /// <summary>The action for an imported keepalived instance (its <c>notify*</c> keywords).</summary>
    /// <param name="instance">The imported instance.</param>
    /// <param name="scriptTimeout">How long each script may run.</param>
    /// <param name="timeProvider">The clock (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <returns>The action, for that instance's events only.</returns>
    public static NotifyScriptAction FromKeepalived(KeepalivedInstance instance, TimeSpan scriptTimeout, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new NotifyScriptAction(NotifyScriptActionOptions.FromKeepalived(instance.Options.Name, instance.Notify, scriptTimeout), timeProvider, logger);
    }

    /// <summary>The action for an imported sync group (its <c>notify*</c> keywords).</summary>
    /// <param name="group">The imported group.</param>
    /// <param name="scriptTimeout">How long each script may run.</param>
    /// <param name="timeProvider">The clock (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <returns>The action, for that group's transitions only.</returns>
    public static NotifyScriptAction ForSyncGroup(KeepalivedSyncGroup group, TimeSpan scriptTimeout, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        NotifyScriptActionOptions options = NotifyScriptActionOptions.FromKeepalived(group.Name, group.Notify, scriptTimeout);
        options.InstanceName = null;
        options.SyncGroupName = group.Name;
        return new NotifyScriptAction(options, timeProvider, logger);
    }

    /// <inheritdoc/>
    /// <remarks>A sync group's action takes that group's transitions; no notify script runs on priority changes (keepalived
    /// reports those on the notify FIFO only).</remarks>
    public bool Accepts(FailoverEventKind kind) => kind == FailoverEventKind.SyncGroupChanged && _options.SyncGroupName is not null;

    /// <summary>The argv lists an event runs, in order (empty for another instance's or group's event).</summary>
    /// <param name="failoverEvent">The event.</param>
    /// <returns>The commands.</returns>
    public IReadOnlyList<ImmutableArray<string>> CommandsFor(FailoverEvent failoverEvent)
    {
        ArgumentNullException.ThrowIfNull(failoverEvent);
        if (_options.SyncGroupName is { } group)
        {
            return failoverEvent.SyncGroupTransition is { } transition && string.Equals(group, transition.GroupName, StringComparison.Ordinal)
                ? GroupCommands(transition)
                : [];
        }

        if (failoverEvent.IsNotificationOnly || (_options.InstanceName is { } name && !string.Equals(name, failoverEvent.InstanceName, StringComparison.Ordinal)))
        {
            return [];
        }

        IList<string> specific = failoverEvent.Kind switch
        {
            FailoverEventKind.Master => _options.Master,
            FailoverEventKind.Backup => _options.Backup,
            FailoverEventKind.Fault => _options.Fault,
            FailoverEventKind.Stop => _options.Stop,
            _ => _options.MasterRxLowerPriority,
        };
        List<ImmutableArray<string>> commands = [];
        if (specific.Count > 0)
        {
            commands.Add([.. specific]);
        }

        if (_options.Generic.Count > 0 && failoverEvent.Kind != FailoverEventKind.MasterHeardLowerPriority)
        {
            commands.Add([.. _options.Generic, "INSTANCE", failoverEvent.InstanceName, failoverEvent.KeepalivedState,
                failoverEvent.EffectivePriority.ToString(CultureInfo.InvariantCulture)]);
        }

        return commands;
    }

    private List<ImmutableArray<string>> GroupCommands(VrrpSyncGroupTransition transition)
    {
        IList<string> specific = transition.NewState switch
        {
            VrrpState.Master => _options.Master,
            VrrpState.Backup => _options.Backup,
            VrrpState.Fault => _options.Fault,
            VrrpState.Stopped => _options.Stop,
            _ => [],
        };
        List<ImmutableArray<string>> commands = [];
        if (specific.Count > 0)
        {
            commands.Add([.. specific]);
        }

        if (_options.Generic.Count > 0)
        {
            commands.Add([.. _options.Generic, "GROUP", transition.GroupName, FailoverEvent.StateWord(transition.NewState), "0"]);
        }

        return commands;
    }

    /// <inheritdoc/>
    public async Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken)
    {
        List<string> problems = [];
        TimeoutException? timedOut = null;
        foreach (ImmutableArray<string> argv in CommandsFor(failoverEvent))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long started = _time.GetTimestamp();
            try
            {
                ProcessResult result = await ProcessRunner.RunAsync(argv, _options.ScriptTimeout, _time, capture: false, cancellationToken, _options.PassEnvironment).ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    LogScriptFailed(_logger, argv[0], failoverEvent, result.ExitCode);
                    problems.Add($"{argv[0]} exited with {result.ExitCode}");
                }
                else
                {
                    LogScriptRan(_logger, argv[0], failoverEvent, _time.GetElapsedTime(started).TotalSeconds);
                }
            }
            catch (TimeoutException e)
            {
                LogScriptTimedOut(_logger, argv[0], failoverEvent, _time.GetElapsedTime(started).TotalSeconds);
                timedOut ??= e;
                problems.Add(e.Message);
            }
            catch (Win32Exception e)
            {
                LogScriptNotStarted(_logger, argv[0], failoverEvent, e.Message);
                problems.Add($"{argv[0]} could not start: {e.Message}");
            }
        }

        if (timedOut is not null && problems.Count == 1)
        {
            throw timedOut;
        }

        if (problems.Count > 0)
        {
            throw new NotifyScriptException($"Notify scripts for {failoverEvent}: {string.Join("; ", problems)}.", timedOut!);
        }
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Debug, Message = "Notify script {Script} for {Event} ran in {Seconds:0.000} s")]
    private static partial void LogScriptRan(ILogger logger, string script, FailoverEvent @event, double seconds);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Notify script {Script} for {Event} exited with {ExitCode}")]
    private static partial void LogScriptFailed(ILogger logger, string script, FailoverEvent @event, int exitCode);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Error, Message = "Notify script {Script} for {Event} ran {Seconds:0.0} s and was killed with its children at its timeout")]
    private static partial void LogScriptTimedOut(ILogger logger, string script, FailoverEvent @event, double seconds);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Error, Message = "Notify script {Script} for {Event} could not start: {Reason}")]
    private static partial void LogScriptNotStarted(ILogger logger, string script, FailoverEvent @event, string reason);
}
