using System.ComponentModel;
using System.Diagnostics;
using System.Text;

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
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, TimeProvider time, bool capture, CancellationToken cancellationToken)
    {
        ProcessStartInfo info = new(argv[0]) { UseShellExecute = false, RedirectStandardOutput = capture, RedirectStandardError = capture };
        for (int i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }

        if (capture)
        {
            info.Environment["LC_ALL"] = "C";
        }

        using Process process = Process.Start(info) ?? throw new Win32Exception($"{argv[0]} did not start");
        StringBuilder output = new();
        Task reading = Task.CompletedTask;
        if (capture)
        {
            reading = Task.WhenAll(Pump(process.StandardOutput, output), Pump(process.StandardError, output));
        }

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

        await reading.ConfigureAwait(false);
        lock (output)
        {
            return new ProcessResult(process.ExitCode, output.ToString().Trim());
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

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        char[] buffer = new char[1024];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
