using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Diagnostics;
using Vrrp.Routing;

namespace Vrrp.Hosting;

/// <summary>
/// Keeps a keepalived-compatible JSON snapshot (<see cref="VrrpSnapshot"/>) of running instances in a file — what
/// <c>vrrp status</c> reads: rewritten on every transition and every <c>interval</c>, atomically (a temporary file
/// renamed over the old one), so a reader never sees half a file. Write failures are logged, never thrown.
/// </summary>
public sealed partial class VrrpStateFileWriter : IAsyncDisposable
{
    /// <summary>The default path used by <c>vrrp run</c>: <c>/run/vrrp/vrrp.json</c>.</summary>
    public const string DefaultPath = "/run/vrrp/vrrp.json";

    private readonly Func<IEnumerable<VirtualRouter>> _routers;
    private readonly VrrpMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<VirtualRouter> _attached = [];
    private ITimer? _timer;
    private Task _loop = Task.CompletedTask;
    private bool _failedOnce;

    /// <summary>Creates a writer (call <see cref="Start"/>).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="routers">The instances to dump, read at each write.</param>
    /// <param name="metrics">Gives each instance's last transition time (optional).</param>
    /// <param name="timeProvider">The clock of the periodic rewrite.</param>
    /// <param name="interval">How often to rewrite besides on transitions.</param>
    /// <param name="logger">Where write failures go.</param>
    public VrrpStateFileWriter(string path, Func<IEnumerable<VirtualRouter>> routers, VrrpMetrics? metrics = null, TimeProvider? timeProvider = null,
        TimeSpan? interval = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(routers);
        Path = System.IO.Path.GetFullPath(path);
        _routers = routers;
        _metrics = metrics;
        _time = timeProvider ?? TimeProvider.System;
        _interval = interval ?? TimeSpan.FromSeconds(5);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Writes once now, then on every transition of the instances and every interval until disposed.</summary>
    public void Start()
    {
        foreach (VirtualRouter router in _routers())
        {
            router.StateChangedEvent.Add(OnStateChanged, inline: true);
            _attached.Add(router);
        }

        WriteNow();
        _timer = _time.CreateTimer(static state => ((VrrpStateFileWriter)state!)._signal.Writer.TryWrite(true), this, _interval, _interval);
        _loop = LoopAsync();
    }

    /// <summary>Writes the snapshot now.</summary>
    /// <returns><see langword="true"/> when written.</returns>
    public bool WriteNow()
    {
        try
        {
            VrrpSnapshot snapshot = VrrpSnapshot.Create(_routers(), _metrics?.GetLastTransitions());
            string? directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // A fresh random name, created exclusively (O_CREAT|O_EXCL: an existing file or a symlink planted at that
            // name is refused, never followed or truncated), then renamed over the state file (a rename replaces a
            // symlink there, it does not write through it).
            string temporary = $"{Path}.{System.IO.Path.GetRandomFileName()}.tmp";
            try
            {
                using (FileStream stream = new(temporary, CreateExclusive))
                {
                    snapshot.WriteTo(stream);
                }

                File.Move(temporary, Path, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }

            _failedOnce = false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failedOnce)
            {
                LogWriteFailed(_logger, Path, e.Message);
                _failedOnce = true;
            }

            return false;
        }
    }

    /// <summary>Stops rewriting and writes a last snapshot (showing the final states).</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (VirtualRouter router in _attached)
        {
            router.StateChangedEvent.Remove(OnStateChanged);
        }

        _attached.Clear();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _signal.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        WriteNow();
    }

    private static readonly FileStreamOptions CreateExclusive = CreateExclusiveOptions();

    private static FileStreamOptions CreateExclusiveOptions()
    {
        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // 0644, as keepalived's keepalived.json: readable by 'vrrp status' of any user, whatever the umask widens.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        return options;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; the next write uses another name.
        }
    }

    private void OnStateChanged(object? sender, VrrpTransition transition) => _signal.Writer.TryWrite(true);

    private async Task LoopAsync()
    {
        await foreach (bool _ in _signal.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                WriteNow();
            }
#pragma warning disable CA1031 // A bug in a snapshot must not end the loop, or a stop that awaits it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogWriteFailed(_logger, Path, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "VRRP: cannot write the state file {Path}: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
