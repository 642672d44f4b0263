using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using Vrrp.Configuration;

namespace Vrrp.Actions;

/// <summary>keepalived's notify FIFO (<c>notify_fifo</c> / <c>vrrp_notify_fifo</c>, with <c>notify_fifo_script</c>).</summary>
public sealed class NotifyFifoActionOptions
{
    /// <summary>The action's name in the pipeline (default <c>fifo</c>).</summary>
    public string Name { get; set; } = "fifo";

    /// <summary>The FIFO's path; created (mode 0644) when missing. An existing path must be a FIFO owned by this process's user.</summary>
    public string Path { get; set; } = "";

    /// <summary>keepalived <c>notify_fifo_script</c>: a program started at <see cref="NotifyFifoAction.Open"/> with the FIFO's
    /// path appended as its last argument, to read the lines; stopped at <see cref="NotifyFifoAction.DisposeAsync"/>. Empty for none.</summary>
    public IList<string> Script { get; set; } = [];

    /// <summary>The owner to give the FIFO when this action creates it (keepalived <c>notify_fifo PATH [username [groupname]]</c>);
    /// <see langword="null"/>: this process's user. An existing FIFO may belong to this user or to the owner.</summary>
    public ScriptUser? Owner { get; set; }

    /// <summary>Runs <see cref="Script"/> as another user (see <see cref="ScriptUser"/>); <see langword="null"/> runs it as this process.</summary>
    public ScriptUser? ScriptUser { get; set; }

    /// <summary>The instances whose effective-priority changes are written (<c>MASTER_PRIORITY</c> / <c>BACKUP_PRIORITY</c> lines;
    /// keepalived <c>notify_priority_changes</c>). Empty (default): none.</summary>
    public IList<string> PriorityChangeInstances { get; set; } = [];

    /// <summary>
    /// Environment variables <see cref="Script"/> gets from this process beyond <c>PATH</c>, <c>LANG</c>,
    /// <c>LANGUAGE</c>, <c>TZ</c> and <c>LC_*</c> (a trailing <c>*</c> matches a prefix); nothing else is passed.
    /// </summary>
    public IList<string> PassEnvironment { get; set; } = [];

    /// <summary>The problems with these settings, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{nameof(Name)}: required.");
        }

        if (string.IsNullOrWhiteSpace(Path) || !System.IO.Path.IsPathFullyQualified(Path))
        {
            errors.Add($"{nameof(Path)}: an absolute path is required; got '{Path}'.");
        }

        if (Script is null || Script.Any(a => a is null) || (Script.Count > 0 && string.IsNullOrWhiteSpace(Script[0])))
        {
            errors.Add($"{nameof(Script)}: a program and its arguments, or empty for none.");
        }

        if (PriorityChangeInstances is null)
        {
            errors.Add($"{nameof(PriorityChangeInstances)}: must not be null (use an empty list for none).");
        }

        return errors;
    }

    internal NotifyFifoActionOptions Clone() => new()
    {
        Name = Name,
        Path = Path,
        Script = [.. Script],
        ScriptUser = ScriptUser,
        Owner = Owner,
        PriorityChangeInstances = [.. PriorityChangeInstances],
    };
}

/// <summary>Counters of a <see cref="NotifyFifoAction"/>.</summary>
/// <param name="Written">Lines written.</param>
/// <param name="Dropped">Lines dropped because the FIFO was full (nobody reading fast enough): the state machine never waits for a reader.</param>
/// <param name="Failed">Lines that could not be written for another reason (logged with the error).</param>
public sealed record NotifyFifoStatistics(long Written, long Dropped, long Failed);

/// <summary>
/// keepalived's notify FIFO as a failover action: one line per event, in event order, in keepalived's format —
/// <c>INSTANCE "VI_1" MASTER 100</c> (BACKUP, FAULT, STOP), <c>INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100</c>,
/// <c>INSTANCE "VI_1" MASTER_PRIORITY 90</c> / <c>BACKUP_PRIORITY</c> for the instances in
/// <see cref="NotifyFifoActionOptions.PriorityChangeInstances"/>, and <c>GROUP "G" MASTER 0</c> for sync groups.
/// </summary>
/// <remarks>As keepalived does, the FIFO is opened read-write and non-blocking (so opening never waits for a reader and
/// the pipe outlives readers that come and go): a write never blocks; when the pipe is full the line is dropped, counted
/// (<see cref="GetStatistics"/>) and logged. Lines are shorter than PIPE_BUF, so each is written whole or not at all.</remarks>
public sealed partial class NotifyFifoAction : IFailoverAction, IFailoverEventFilter, IFailoverActionPolicy, IAsyncDisposable
{
    private readonly NotifyFifoActionOptions _options;
    private readonly HashSet<string> _priorityInstances;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private FifoHandle? _fifo;
    private Process? _script;
    private bool _createdFifo;
    private long _written;
    private long _dropped;
    private long _failed;

    /// <summary>Creates the action; <see cref="Open"/> it before use.</summary>
    /// <param name="options">The FIFO; validated and copied.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public NotifyFifoAction(NotifyFifoActionOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(NotifyFifoActionOptions)}: {string.Join(" ", errors)}", nameof(options));
        }

        _options = options.Clone();
        _priorityInstances = new HashSet<string>(_options.PriorityChangeInstances, StringComparer.Ordinal);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>The <see cref="FailoverLanes.Notify"/> lane, with the notify scripts (keepalived writes the line after starting them).</summary>
    public string Lane => FailoverLanes.Notify;

    /// <summary>The pipeline's default timeout.</summary>
    public TimeSpan? TimeoutPerEvent => null;

    /// <summary>The action for an imported FIFO: priority changes of the instances with <c>notify_priority_changes</c>.</summary>
    /// <param name="fifo">The FIFO.</param>
    /// <param name="configuration">The configuration it belongs to.</param>
    /// <param name="logger">Optional logger.</param>
    /// <returns>The action, not open yet.</returns>
    public static NotifyFifoAction FromKeepalived(KeepalivedNotifyFifo fifo, KeepalivedConfiguration configuration, ILogger? logger = null) =>
        FromKeepalived(fifo, configuration, logger, []);

    internal static NotifyFifoAction FromKeepalived(KeepalivedNotifyFifo fifo, KeepalivedConfiguration configuration, ILogger? logger, IEnumerable<string> passEnvironment)
    {
        ArgumentNullException.ThrowIfNull(fifo);
        ArgumentNullException.ThrowIfNull(configuration);
        return new NotifyFifoAction(new NotifyFifoActionOptions
        {
            Name = $"fifo:{fifo.Keyword}",
            Path = fifo.Path,
            Owner = fifo.Owner,
            Script = [.. fifo.Script],
            ScriptUser = fifo.ScriptUser,
            PriorityChangeInstances = [.. configuration.Instances.Where(i => i.NotifyPriorityChanges).Select(i => i.Options.Name)],
            PassEnvironment = [.. passEnvironment],
        }, logger);
    }

    /// <summary>The FIFO's path.</summary>
    public string Path => _options.Path;

    /// <summary>
    /// Creates the FIFO when missing, starts the <see cref="NotifyFifoActionOptions.Script"/> and opens the FIFO (as keepalived: script first).
    /// </summary>
    /// <exception cref="IOException">The FIFO cannot be created or opened, or the path is not a FIFO owned by this user; the message names the path.</exception>
    /// <exception cref="Win32Exception">The script cannot be started.</exception>
    /// <exception cref="InvalidOperationException">Already open.</exception>
    public void Open()
    {
        lock (_lock)
        {
            if (_fifo is not null)
            {
                throw new InvalidOperationException($"The notify FIFO {Path} is already open.");
            }

            if (FifoInterop.MkFifo(Path, 0b110_100_100) == 0)
            {
                _createdFifo = true;
                if (_options.Owner is { } owner && FifoInterop.Chown(Path, owner.Uid, owner.Gid) != 0)
                {
                    string reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
                    RemoveIfCreated();
                    throw new IOException($"Cannot give the notify FIFO {Path} to {owner}: {reason}.");
                }
            }
            else if (Marshal.GetLastPInvokeError() is int error && error != FifoInterop.EEXIST)
            {
                throw new IOException($"Cannot create the notify FIFO {Path}: {Marshal.GetPInvokeErrorMessage(error)}.");
            }

            try
            {
                if (_options.Script.Count > 0)
                {
                    _script = StartScript();
                }

                _fifo = FifoInterop.OpenFifo(Path, _options.Owner?.Uid);
                LogOpened(_logger, Path, _createdFifo, _script?.Id ?? 0);
            }
            catch
            {
                StopScript();
                RemoveIfCreated();
                throw;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Sync group transitions always; priority changes when some instance is in <see cref="NotifyFifoActionOptions.PriorityChangeInstances"/>.</remarks>
    public bool Accepts(FailoverEventKind kind) => kind == FailoverEventKind.SyncGroupChanged || (kind == FailoverEventKind.PriorityChanged && _priorityInstances.Count > 0);

    /// <summary>The line an event writes, or <see langword="null"/> when it writes none (keepalived's <c>TYPE "NAME" STATE PRIORITY</c>).</summary>
    /// <param name="failoverEvent">The event.</param>
    /// <returns>The line without its newline.</returns>
    public string? LineFor(FailoverEvent failoverEvent)
    {
        ArgumentNullException.ThrowIfNull(failoverEvent);
        if (failoverEvent.Kind == FailoverEventKind.PriorityChanged && !_priorityInstances.Contains(failoverEvent.InstanceName))
        {
            return null;
        }

        string type = failoverEvent.Kind == FailoverEventKind.SyncGroupChanged ? "GROUP" : "INSTANCE";
        return string.Create(CultureInfo.InvariantCulture, $"{type} \"{failoverEvent.InstanceName}\" {failoverEvent.KeepalivedState} {failoverEvent.EffectivePriority}");
    }

    /// <inheritdoc/>
    public Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken)
    {
        if (LineFor(failoverEvent) is not { } line)
        {
            return Task.CompletedTask;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_lock)
        {
            if (_fifo is null)
            {
                Interlocked.Increment(ref _failed);
                throw new InvalidOperationException($"The notify FIFO {Path} is not open: call {nameof(Open)} first.");
            }

            int error = FifoInterop.Write(_fifo, bytes);
            if (error == 0)
            {
                Interlocked.Increment(ref _written);
            }
            else if (error == FifoInterop.EAGAIN)
            {
                long dropped = Interlocked.Increment(ref _dropped);
                LogDropped(_logger, Path, line, dropped);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                throw new IOException($"Cannot write to the notify FIFO {Path}: {Marshal.GetPInvokeErrorMessage(error)}.");
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Lines written, dropped and failed so far.</summary>
    public NotifyFifoStatistics GetStatistics() => new(Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed));

    /// <summary>Closes the FIFO (its reader sees end of file), gives the script a second to exit, then kills it with its children;
    /// removes the FIFO when this action created it. Call after the pipeline has drained, so the last lines (STOP) are written.</summary>
    public async ValueTask DisposeAsync()
    {
        Process? script;
        lock (_lock)
        {
            _fifo?.Dispose();
            _fifo = null;
            script = _script;
        }

        if (script is not null)
        {
            using CancellationTokenSource grace = new(TimeSpan.FromSeconds(1));
            try
            {
                await script.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Still reading: stopped below.
            }
        }

        lock (_lock)
        {
            StopScript();
            RemoveIfCreated();
        }
    }

    private Process StartScript()
    {
        List<string> argv = [.. _options.Script, Path];
        IReadOnlyList<string> command = _options.ScriptUser is { } user ? user.Wrap(argv) : argv;
        Process process = ChildProcess.Start(ChildProcess.CreateStartInfo(command, _options.PassEnvironment));

        // Its output is read and dropped (keepalived sends it to /dev/null), never mixed into this process's; the
        // reads end when StopScript kills the script's tree and disposes it.
        _ = ChildProcess.Read(process.StandardOutput, 0);
        _ = ChildProcess.Read(process.StandardError, 0);
        return process;
    }

    private void StopScript()
    {
        if (_script is null)
        {
            return;
        }

        try
        {
            if (!_script.HasExited)
            {
                _script.Kill(entireProcessTree: true);
                _script.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        _script.Dispose();
        _script = null;
    }

    private void RemoveIfCreated()
    {
        if (_createdFifo)
        {
            File.Delete(Path);
            _createdFifo = false;
        }
    }

    [LoggerMessage(EventId = 5060, Level = LogLevel.Information, Message = "Notify FIFO {Path} open (created: {Created}, reader script pid: {Pid})")]
    private static partial void LogOpened(ILogger logger, string path, bool created, int pid);

    [LoggerMessage(EventId = 5061, Level = LogLevel.Warning, Message = "Notify FIFO {Path} is full (nobody reading?): dropped '{Line}' ({Dropped} dropped so far)")]
    private static partial void LogDropped(ILogger logger, string path, string line, long dropped);
}

/// <summary>The FIFO system calls, as keepalived makes them.</summary>
internal static partial class FifoInterop
{
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    private const int ORdwr = 0x2;
    private const int ONonBlock = 0x800;
    private const int ONoFollow = 0x20000;
    private const int OCloExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxUid = 0x8;
    private const int SIfMt = 0xF000;
    private const int SIfIfo = 0x1000;

    /// <summary>Opens the FIFO read-write and non-blocking, refusing symlinks and anything that is not a FIFO owned by this user.</summary>
    public static FifoHandle OpenFifo(string path, int? ownerUid)
    {
        int fd = Open(path, ORdwr | ONonBlock | ONoFollow | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the notify FIFO {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        FifoHandle handle = new(fd);
        Span<byte> stat = stackalloc byte[256];
        if (Statx(fd, "", AtEmptyPath, StatxType | StatxUid, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            string reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            handle.Dispose();
            throw new IOException($"Cannot check the notify FIFO {path}: {reason}.");
        }

        // struct statx: stx_uid at offset 20, stx_mode (16 bits) at 28 — the same on every architecture.
        uint uid = MemoryMarshal.Read<uint>(stat[20..]);
        ushort mode = MemoryMarshal.Read<ushort>(stat[28..]);
        if ((mode & SIfMt) != SIfIfo || (uid != GetEuid() && uid != ownerUid))
        {
            handle.Dispose();
            throw new IOException($"The notify FIFO {path} is {((mode & SIfMt) != SIfIfo ? "not a FIFO" : $"owned by uid {uid}, not by this process's user")}: not using it (as keepalived).");
        }

        return handle;
    }

    /// <returns>0 when written whole, else the errno (EAGAIN: the pipe is full).</returns>
    public static int Write(FifoHandle handle, byte[] bytes)
    {
        nint written = WriteCore(handle, bytes, bytes.Length);
        return written == bytes.Length ? 0 : written < 0 ? Marshal.GetLastPInvokeError() : EAGAIN;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteCore(FifoHandle fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(nint fd);
}

/// <summary>An open FIFO descriptor.</summary>
internal sealed class FifoHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FifoHandle()
        : base(ownsHandle: true)
    {
    }

    public FifoHandle(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => FifoInterop.Close(handle) == 0;
}
