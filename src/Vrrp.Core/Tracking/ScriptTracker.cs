using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Actions;

namespace Vrrp.Tracking;

/// <summary>Options of a <see cref="ScriptTracker"/> (keepalived <c>vrrp_script</c>).</summary>
public sealed class ScriptTrackerOptions : TrackerOptions
{
    /// <summary>The program and its arguments (argv), run directly, never through a shell. Takes precedence over
    /// <see cref="CommandLine"/>.</summary>
    public IList<string> Arguments { get; set; } = [];

    /// <summary>A keepalived-style <c>script</c> string, split into argv with <see cref="KeepalivedCommandLine"/>
    /// (no shell: write <c>/bin/sh -c '...'</c> explicitly for pipes or variables). Used when <see cref="Arguments"/> is empty.</summary>
    public string? CommandLine { get; set; }

    /// <summary>
    /// Environment variables the script gets from this process beyond <c>PATH</c>, <c>LANG</c>, <c>LANGUAGE</c>,
    /// <c>TZ</c> and <c>LC_*</c> (a trailing <c>*</c> matches a prefix); nothing else is passed.
    /// </summary>
    public IList<string> PassEnvironment { get; set; } = [];

    /// <summary>The argv to run: <see cref="Arguments"/>, or <see cref="CommandLine"/> split.</summary>
    /// <exception cref="FormatException"><see cref="CommandLine"/> cannot be split.</exception>
    public IReadOnlyList<string> GetArgv() =>
        Arguments is { Count: > 0 } ? [.. Arguments] : CommandLine is null ? [] : KeepalivedCommandLine.Split(CommandLine);

    /// <summary>A copy that also passes <paramref name="passEnvironment"/> (a runtime's <c>ScriptEnvironment</c>).</summary>
    internal ScriptTrackerOptions With(IEnumerable<string> passEnvironment)
    {
        ScriptTrackerOptions copy = (ScriptTrackerOptions)MemberwiseClone();
        copy.PassEnvironment = [.. PassEnvironment.Union(passEnvironment, StringComparer.Ordinal)];
        return copy;
    }

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Arguments is { Count: > 0 })
        {
            if (string.IsNullOrEmpty(Arguments[0]))
            {
                errors.Add($"{nameof(Arguments)}: the program (first element) must not be empty.");
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(CommandLine))
        {
            errors.Add($"{nameof(Arguments)}: a script needs a program ({nameof(Arguments)} or {nameof(CommandLine)}).");
        }
        else if (!KeepalivedCommandLine.TrySplit(CommandLine, out string[] words, out string? error))
        {
            errors.Add($"{nameof(CommandLine)}: {error}");
        }
        else if (words.Length == 0 || words[0].Length == 0)
        {
            errors.Add($"{nameof(CommandLine)}: the program (first word) must not be empty.");
        }
    }
}

/// <summary>
/// keepalived <c>vrrp_script</c>: runs a program; exit code 0 is success. The program is started directly from argv
/// (no shell) with stdin at end of file and its output discarded (the first line of stderr goes into the failure
/// reason). On cancellation (the runner's timeout, or shutdown) the whole process tree is killed and reaped before
/// the check completes; a missing program or a permission error is a failure whose reason says so.
/// </summary>
public sealed class ScriptTracker : IVrrpTracker, IDisposable
{
    private const int MaxReasonLength = 200;
    private static readonly TimeSpan OutputGrace = TimeSpan.FromMilliseconds(200);
    private readonly TimeProvider _time;
    private readonly string[] _argv;
    private readonly string[] _passEnvironment;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<Process> _running = [];
    private bool _disposed;

    /// <summary>Creates the tracker.</summary>
    /// <param name="options">The options; validated.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="timeProvider">The clock for the short wait (200 ms) for the end of stderr after the program exits
    /// (a background child may keep it open); default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public ScriptTracker(ScriptTrackerOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _argv = [.. options.GetArgv()];
        _passEnvironment = [.. options.PassEnvironment];
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The argv run by each check.</summary>
    public IReadOnlyList<string> Argv => _argv;

    /// <inheritdoc/>
    public async Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Process process;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                process = ChildProcess.Start(ChildProcess.CreateStartInfo(_argv, _passEnvironment, redirectInput: true));
            }
            catch (Win32Exception ex)
            {
                return TrackerResult.Fail(DescribeStartFailure(_argv[0], ex));
            }

            _running.Add(process);
        }

        // Standard output is read and dropped; of standard error the first line is the reason, so a little is kept.
        BoundedOutput output = ChildProcess.Read(process.StandardOutput, 0);
        BoundedOutput error = ChildProcess.Read(process.StandardError, MaxReasonLength * 4);
        Task drained = Task.WhenAll(output.Completion, error.Completion);
        int pid = process.Id;
        bool killed = false;
        int code;
        try
        {
            process.StandardInput.Close();
            using (cancellationToken.Register(() =>
            {
                killed = true;
                Kill(process, pid, "cancelled (timeout or shutdown)");
            }))
            {
                // On cancellation the registration kills the tree, and the wait ends with the exit.
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            code = killed ? -1 : process.ExitCode;
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(process);
            }

            ChildProcess.DisposeWhenDrained(process, drained);
        }

        if (killed)
        {
            return TrackerResult.Fail($"'{_argv[0]}' killed (pid {pid}): timed out or cancelled");
        }

        if (code != 0)
        {
            try
            {
                await error.Completion.WaitAsync(OutputGrace, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A background child holds stderr open: report what arrived.
            }
        }

        if (code == 0)
        {
            return TrackerResult.Ok("exit code 0", 0);
        }

        string? firstError = error.FirstLine();
        string reason = firstError is null ? $"exit code {code}" : $"exit code {code}: {firstError}";
        return TrackerResult.Fail(reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason, code);
    }

    /// <summary>Kills the process trees of the checks still running.</summary>
    public void Dispose()
    {
        Process[] running;
        lock (_lock)
        {
            _disposed = true;
            running = [.. _running];
        }

        foreach (Process process in running)
        {
            try
            {
                Kill(process, process.Id, "disposed");
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private static string DescribeStartFailure(string program, Win32Exception ex) => ex.NativeErrorCode switch
    {
        2 => $"cannot run '{program}': program not found",
        13 => $"cannot run '{program}': permission denied (is it executable?)",
        8 => $"cannot run '{program}': not an executable format (a script without a #! line?)",
        _ => $"cannot run '{program}': {ex.Message}",
    };

    private void Kill(Process process, int pid, string why)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            TrackingLog.ScriptKilled(_logger, Name, pid, why);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception ex)
        {
            TrackingLog.ScriptKillFailed(_logger, Name, pid, ex);
        }
    }
}
