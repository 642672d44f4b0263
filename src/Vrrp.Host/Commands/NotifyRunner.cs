using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Host.Commands;

/// <summary>
/// Runs keepalived-style notify scripts one at a time, in transition order, each as argv (no shell) and killed at
/// its timeout. Never runs on the router's thread: transitions are queued.
/// </summary>
internal sealed partial class NotifyRunner : IDisposable
{
    private readonly Channel<(NotifyScripts Scripts, VrrpTransition Transition)> _queue = Channel.CreateUnbounded<(NotifyScripts, VrrpTransition)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Task _worker;
    private readonly CancellationTokenSource _abort = new();

    public NotifyRunner(TimeSpan timeout, ILogger logger)
    {
        _timeout = timeout;
        _logger = logger;
        _worker = Task.Run(WorkAsync);
    }

    public void Enqueue(NotifyScripts scripts, VrrpTransition transition)
    {
        if (scripts.Any)
        {
            _queue.Writer.TryWrite((scripts, transition));
        }
    }

    /// <summary>Stops accepting work and waits (bounded) for the queued scripts.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_worker, Task.Delay(limit)).ConfigureAwait(false) != _worker)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _abort.Cancel();
        _abort.Dispose();
    }

    /// <summary>The argv lists a transition runs, in keepalived's order: the state's own script, then the generic one.</summary>
    public static IEnumerable<ImmutableArray<string>> CommandsFor(NotifyScripts scripts, VrrpTransition transition)
    {
        ImmutableArray<string> specific = transition.NewState switch
        {
            VrrpState.Master => scripts.Master,
            VrrpState.Backup => scripts.Backup,
            VrrpState.Fault => scripts.Fault,
            VrrpState.Stopped => scripts.Stop,
            _ => [],
        };
        if (!specific.IsEmpty)
        {
            yield return specific;
        }

        string? state = transition.NewState switch
        {
            VrrpState.Master => "MASTER",
            VrrpState.Backup => "BACKUP",
            VrrpState.Fault => "FAULT",
            VrrpState.Stopped => "STOP",
            _ => null,
        };
        if (!scripts.Generic.IsEmpty && state is not null)
        {
            yield return [.. scripts.Generic, "INSTANCE", transition.InstanceName, state, transition.EffectivePriority.ToString(CultureInfo.InvariantCulture)];
        }
    }

    private async Task WorkAsync()
    {
        await foreach ((NotifyScripts scripts, VrrpTransition transition) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (ImmutableArray<string> argv in CommandsFor(scripts, transition))
            {
                await RunAsync(argv).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(ImmutableArray<string> argv)
    {
        ProcessStartInfo info = new(argv[0]) { UseShellExecute = false };
        foreach (string argument in argv.AsSpan()[1..])
        {
            info.ArgumentList.Add(argument);
        }

        Stopwatch watch = Stopwatch.StartNew();
        try
        {
            using Process process = Process.Start(info) ?? throw new InvalidOperationException("no process");
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            timeout.CancelAfter(_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    LogScriptFailed(_logger, argv[0], process.ExitCode);
                }
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                LogScriptTimedOut(_logger, argv[0], watch.Elapsed.TotalSeconds);
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            LogScriptNotStarted(_logger, argv[0], e.Message);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Notify script {Script} exited with {ExitCode}")]
    private static partial void LogScriptFailed(ILogger logger, string script, int exitCode);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Notify script {Script} ran {Seconds:0.0} s and was killed at its timeout")]
    private static partial void LogScriptTimedOut(ILogger logger, string script, double seconds);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Notify script {Script} could not start: {Reason}")]
    private static partial void LogScriptNotStarted(ILogger logger, string script, string reason);
}
