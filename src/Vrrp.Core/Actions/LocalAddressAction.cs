using System.ComponentModel;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Actions;

/// <summary>
/// Holds virtual addresses on a local interface: on MASTER adds them (<c>ip addr add ADDR/PREFIX dev IF [label L]</c>,
/// IPv6 with <c>nodad</c>) and announces them — gratuitous ARP for IPv4, unsolicited neighbour advertisement for
/// IPv6 — with keepalived's timing: a burst of <see cref="LocalAddressActionOptions.GarpMasterRepeat"/> at once, a
/// second burst <see cref="LocalAddressActionOptions.GarpMasterDelay"/> after becoming MASTER, and optional periodic
/// refreshes while MASTER. On BACKUP, FAULT and STOP it stops announcing and removes them. When a MASTER hears a
/// lower-priority advertisement it re-adds (idempotent) and re-announces them.
/// </summary>
/// <remarks>
/// Commands run as argv (no shell). An address already present (adding) or absent (removing) is not an error.
/// Errors — interface missing, no permission, libpcap failure — make the event's run fail with a
/// <see cref="LocalAddressActionException"/> saying what and why; errors of the timed bursts (second burst,
/// refresh) are logged and counted in <see cref="AnnouncementFailures"/>. Every action announcing on one interface
/// (and namespace) shares one capture device and paces its announcements with the others
/// (<see cref="LocalAddressActionOptions.GarpInterval"/>, <see cref="LocalAddressActionOptions.GnaInterval"/>).
/// Disposing stops the timers and gives up the shared capture device (the last user closes it); it does not remove
/// the addresses (the STOP event does).
/// </remarks>
public sealed partial class LocalAddressAction : IFailoverAction, IFailoverActionPolicy, IDisposable
{
    private readonly LocalAddressActionOptions _options;
    private readonly string _ip;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NeighborAnnouncer _announcer;
    private readonly Lock _lock = new();
    private CancellationTokenSource _held = new();
    private ITimer? _secondBurst;
    private ITimer? _refresh;
    private PhysicalAddress? _mac;
    private long _sent;
    private long _failures;
    private bool _disposed;

    /// <summary>Creates the action.</summary>
    /// <param name="options">The interface, addresses and timing; validated and copied.</param>
    /// <param name="timeProvider">The clock for the delayed and periodic announcements (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public LocalAddressAction(LocalAddressActionOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options.Clone();

        // Found once, on PATH's absolute directories only (never ./ip in the current directory); when it is not
        // there, every run fails with that error rather than finding something else later.
        _ip = ChildProcess.Resolve([_options.IpCommand])[0];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _announcer = NeighborAnnouncer.Acquire(_options.Interface, _options.NetworkNamespace, _time);
        Name = _options.Name ?? $"addresses:{_options.Interface}";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The <see cref="FailoverLanes.Address"/> lane: first for every event, never behind a script or a cloud call.</summary>
    public string Lane => FailoverLanes.Address;

    /// <summary>The pipeline's default timeout.</summary>
    public TimeSpan? TimeoutPerEvent => null;

    /// <summary>Gratuitous ARPs and neighbour advertisements sent so far.</summary>
    public long AnnouncementsSent => Interlocked.Read(ref _sent);

    /// <summary>Timed bursts (second burst, refresh) that failed.</summary>
    public long AnnouncementFailures => Interlocked.Read(ref _failures);

    /// <summary>The argv of <c>ip</c> that adds (or removes) one address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="add">Add, or remove.</param>
    /// <returns>The command.</returns>
    public IReadOnlyList<string> AddressCommand(LocalVirtualAddress address, bool add)
    {
        ArgumentNullException.ThrowIfNull(address);
        List<string> argv = [_ip];
        if (_options.NetworkNamespace is { } ns)
        {
            argv.AddRange(["-n", ns]);
        }

        argv.AddRange(["addr", add ? "add" : "del", address.ToString(), "dev", _options.Interface]);
        if (!address.IsIPv6 && _options.Label is { } label)
        {
            argv.AddRange(["label", label]);
        }

        if (add && address.IsIPv6)
        {
            argv.Add("nodad");
        }

        return argv;
    }

    /// <inheritdoc/>
    public async Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failoverEvent);
        if (_options.InstanceName is { } name && !string.Equals(name, failoverEvent.InstanceName, StringComparison.Ordinal))
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!failoverEvent.IsMaster)
        {
            StopTimers();
            await ChangeAllAsync(add: false, cancellationToken).ConfigureAwait(false);
            LogReleased(_logger, _options.Interface, failoverEvent);
            return;
        }

        if (failoverEvent.IsSuperseded)
        {
            // The instance left MASTER before this ran: adding the addresses and announcing them now would pull the
            // neighbours' traffic away from the real MASTER until its next announcement.
            LogSuperseded(_logger, _options.Interface, failoverEvent);
            return;
        }

        await ChangeAllAsync(add: true, cancellationToken).ConfigureAwait(false);
        _mac ??= await ReadMacAsync(cancellationToken).ConfigureAwait(false);
        bool master = failoverEvent.Kind == FailoverEventKind.Master;
        int repeat = master ? _options.GarpMasterRepeat : _options.GarpLowerPriorityRepeat ?? _options.GarpMasterRepeat;
        TimeSpan delay = master ? _options.GarpMasterDelay : _options.GarpLowerPriorityDelay ?? _options.GarpMasterDelay;
        cancellationToken.ThrowIfCancellationRequested();
        CancellationToken held;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            held = _held.Token;
        }

        using (CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held))
        {
            await SendAsync(repeat, "burst", linked.Token).ConfigureAwait(false);
        }

        LogHeld(_logger, _options.Interface, failoverEvent, repeat);

        lock (_lock)
        {
            if (delay > TimeSpan.Zero)
            {
                TimeSpan due = delay - (_time.GetUtcNow() - failoverEvent.Timestamp);
                _secondBurst?.Dispose();
                _secondBurst = _time.CreateTimer(_ => TimedSend(repeat, "second burst"), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }

            if (master && _options.GarpMasterRefresh > TimeSpan.Zero)
            {
                _refresh?.Dispose();
                _refresh = _time.CreateTimer(_ => TimedSend(_options.GarpMasterRefreshRepeat, "refresh"), null, _options.GarpMasterRefresh, _options.GarpMasterRefresh);
            }
        }
    }

    /// <summary>Stops the timed announcements and closes the capture device; the addresses stay as they are.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        StopTimers();
        _announcer.Release();
        _held.Dispose();
    }

    /// <summary>Stops the timers and cancels announcements still waiting for their turn.</summary>
    private void StopTimers()
    {
        lock (_lock)
        {
            _secondBurst?.Dispose();
            _secondBurst = null;
            _refresh?.Dispose();
            _refresh = null;
            _held.Cancel();
            if (!_disposed)
            {
                _held.Dispose();
                _held = new CancellationTokenSource();
            }
        }
    }

    private async Task SendAsync(int repeat, string what, CancellationToken cancellationToken)
    {
        int sent = await _announcer.AnnounceAsync([.. _options.Addresses], repeat, _mac!, _options.GarpInterval, _options.GnaInterval, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _sent, sent);
        LogAnnounced(_logger, _options.Interface, what, sent);
    }

    private void TimedSend(int repeat, string what) => _ = TimedSendAsync(repeat, what);

    private async Task TimedSendAsync(int repeat, string what)
    {
        CancellationToken held;
        lock (_lock)
        {
            if (_disposed || (_secondBurst is null && _refresh is null))
            {
                return;
            }

            held = _held.Token;
        }

        try
        {
            await SendAsync(repeat, what, held).ConfigureAwait(false);
        }
        catch (LocalAddressActionException e)
        {
            Interlocked.Increment(ref _failures);
            LogTimedSendFailed(_logger, _options.Interface, what, e);
        }
        catch (OperationCanceledException)
        {
            // Released (BACKUP, FAULT, STOP) or disposed while waiting for a turn: nothing more to announce.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while sending.
        }
    }

    private async Task ChangeAllAsync(bool add, CancellationToken cancellationToken)
    {
        List<string> problems = [];
        foreach (LocalVirtualAddress address in _options.Addresses)
        {
            IReadOnlyList<string> argv = AddressCommand(address, add);
            ProcessResult result;
            try
            {
                result = await ProcessRunner.RunAsync(argv, _options.CommandTimeout, _time, capture: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Win32Exception e)
            {
                throw new LocalAddressActionException($"cannot run {_options.IpCommand}: {e.Message}", e);
            }
            catch (TimeoutException e)
            {
                problems.Add(e.Message);
                continue;
            }

            bool alreadyDone = add
                ? result.Output.Contains("File exists", StringComparison.Ordinal) || result.Output.Contains("address already assigned", StringComparison.OrdinalIgnoreCase)
                : result.Output.Contains("Cannot assign requested address", StringComparison.Ordinal) || result.Output.Contains("address not found", StringComparison.OrdinalIgnoreCase);
            if (result.ExitCode != 0 && !alreadyDone)
            {
                problems.Add($"'{string.Join(' ', argv)}' failed ({result.ExitCode}): {result.Output}");
            }
            else
            {
                LogAddressChanged(_logger, add ? "added" : "removed", address.ToString(), _options.Interface);
            }
        }

        if (problems.Count > 0)
        {
            throw new LocalAddressActionException($"cannot {(add ? "add" : "remove")} virtual addresses on {_options.Interface}: {string.Join("; ", problems)}");
        }
    }

    private async Task<PhysicalAddress> ReadMacAsync(CancellationToken cancellationToken)
    {
        List<string> argv = [_ip];
        if (_options.NetworkNamespace is { } ns)
        {
            argv.AddRange(["-n", ns]);
        }

        argv.AddRange(["-o", "link", "show", "dev", _options.Interface]);
        ProcessResult result = await ProcessRunner.RunAsync(argv, _options.CommandTimeout, _time, capture: true, cancellationToken).ConfigureAwait(false);
        Match match = MacPattern().Match(result.Output);
        if (result.ExitCode != 0 || !match.Success)
        {
            throw new LocalAddressActionException($"cannot read the MAC address of {_options.Interface}: {result.Output}");
        }

        return PhysicalAddress.Parse(match.Groups[1].Value.Replace(':', '-'));
    }

    [GeneratedRegex(@"link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})")]
    private static partial Regex MacPattern();

    [LoggerMessage(EventId = 5040, Level = LogLevel.Information, Message = "Virtual address {Address} {Change} on {Interface}")]
    private static partial void LogAddressChanged(ILogger logger, string change, string address, string @interface);

    [LoggerMessage(EventId = 5041, Level = LogLevel.Information, Message = "Holding the virtual addresses on {Interface} for {Event}: {Repeat} announcement(s) per address now")]
    private static partial void LogHeld(ILogger logger, string @interface, FailoverEvent @event, int repeat);

    [LoggerMessage(EventId = 5042, Level = LogLevel.Information, Message = "Released the virtual addresses on {Interface} for {Event}")]
    private static partial void LogReleased(ILogger logger, string @interface, FailoverEvent @event);

    [LoggerMessage(EventId = 5043, Level = LogLevel.Debug, Message = "Sent {Count} announcement(s) on {Interface} ({What})")]
    private static partial void LogAnnounced(ILogger logger, string @interface, string what, int count);

    [LoggerMessage(EventId = 5044, Level = LogLevel.Error, Message = "Announcement ({What}) on {Interface} failed")]
    private static partial void LogTimedSendFailed(ILogger logger, string @interface, string what, Exception exception);

    [LoggerMessage(EventId = 5045, Level = LogLevel.Information, Message = "Not holding the virtual addresses on {Interface} for {Event}: the instance already left MASTER (superseded)")]
    private static partial void LogSuperseded(ILogger logger, string @interface, FailoverEvent @event);
}
