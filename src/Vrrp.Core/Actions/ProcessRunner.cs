using System.ComponentModel;
using System.Diagnostics;

namespace Vrrp.Actions;

/// <summary>The end of a process run by <see cref="ProcessRunner"/>.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Standard output and error, when captured.</param>
internal readonly record struct ProcessResult(int ExitCode, string Output);

/// <summary>Runs argv (no shell) to completion; at the timeout or on cancellation the whole process tree is killed.</summary>
internal static class ProcessRunner
{
    /// <exception cref="TimeoutException">The process ran past <paramref name="timeout"/> and was killed with its children.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the process tree was killed.</exception>
    /// <exception cref="Win32Exception">The program could not be started.</exception>
    /// <param name="argv">The program and its arguments (the program is resolved by <see cref="ChildProcess"/>).</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="time">The clock of the timeout.</param>
    /// <param name="capture">Keep standard output and error (up to <see cref="ChildProcess.DefaultOutputLimit"/>
    /// characters) in the result; otherwise they are read and discarded (keepalived sends them to /dev/null).</param>
    /// <param name="cancellationToken">Kills the process tree when cancelled.</param>
    /// <param name="passEnvironment">Environment variables passed beyond <see cref="ChildProcess.DefaultEnvironment"/>.</param>
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, TimeProvider time, bool capture, CancellationToken cancellationToken,
        IEnumerable<string>? passEnvironment = null)
    {
        ProcessStartInfo info = ChildProcess.CreateStartInfo(argv, passEnvironment);
        if (capture)
        {
            info.Environment["LC_ALL"] = "C";
        }

        Process process = ChildProcess.Start(info);
        int limit = capture ? ChildProcess.DefaultOutputLimit : 0;
        BoundedOutput standardOutput = ChildProcess.Read(process.StandardOutput, limit);
        BoundedOutput standardError = ChildProcess.Read(process.StandardError, limit);
        Task outputs = Task.WhenAll(standardOutput.Completion, standardError.Completion);

        try
        {
            using CancellationTokenSource timer = new(timeout, time);
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"{argv[0]} ran longer than {timeout.TotalSeconds:0.###} s and was killed with its children (pid {process.Id}).");
            }

            int exitCode = process.ExitCode;
            if (!capture)
            {
                return new ProcessResult(exitCode, "");
            }

            try
            {
                await outputs.WaitAsync(ChildProcess.OutputGrace, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A background child holds the pipes: report what arrived.
            }

            return new ProcessResult(exitCode, (standardOutput.Text + standardError.Text).Trim());
        }
        finally
        {
            // The process object (and with it the pipes) goes only when both pipes have ended: a program that leaves
            // a background child holding them must not get SIGPIPE for it.
            ChildProcess.DisposeWhenDrained(process, outputs);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }
}
