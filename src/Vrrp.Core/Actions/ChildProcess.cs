using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Vrrp.Actions;

/// <summary>
/// The one way the library starts a program (notify scripts, script trackers, the FIFO script, <c>ip</c>), with what
/// keepalived does in its child before exec and some more:
/// <list type="bullet">
/// <item>The program is found on PATH's absolute directories only: never in the current directory or the
/// executable's (as .NET's own lookup would), so root started from a writable directory cannot be made to run
/// <c>./ip</c>. The path found is the one <c>enable_script_security</c> checks.</item>
/// <item>Only descriptors 0–2 reach the program: every other descriptor of this process is marked close-on-exec
/// first (<c>close_range(CLOSE_RANGE_CLOEXEC)</c>), so a raw packet socket a native library opened without the flag
/// (libpcap's, for gratuitous ARP) never reaches a script running as <c>script_user</c>.</item>
/// <item>The environment is an allow-list (<see cref="DefaultEnvironment"/> and the names configured), so cloud
/// credentials in the daemon's environment do not reach scripts.</item>
/// <item>Output is read in bounded amounts: what is kept is capped, the rest is read and counted, never stored.</item>
/// </list>
/// </summary>
internal static partial class ChildProcess
{
    /// <summary>The variables a program gets from this process's environment unless more are configured.</summary>
    public static readonly IReadOnlyList<string> DefaultEnvironment = ["PATH", "LANG", "LANGUAGE", "TZ", "LC_*"];

    /// <summary>How much output is kept of a program whose output is read for a reason (a tracker's first error, <c>ip</c>'s answer).</summary>
    public const int DefaultOutputLimit = 64 * 1024;

    /// <summary>How long output is awaited after the program exits (a background child may hold the pipes open).</summary>
    public static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    private const uint CloseRangeCloexec = 4;
    private const int FdSetFlags = 2;
    private const int FdCloexec = 1;

    /// <summary>
    /// Resolves <paramref name="program"/> as exec would, without the current directory: a name with a slash is made
    /// absolute; a bare name is looked up in PATH's absolute directories for an executable regular file.
    /// </summary>
    /// <returns><see langword="true"/> and the absolute path, or <see langword="false"/> and why not.</returns>
    public static bool TryResolve(string program, out string path, out string? error, string? searchPath = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        error = null;
        if (program.Length == 0)
        {
            path = program;
            error = "the program name is empty";
            return false;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            path = Path.GetFullPath(program);
            return true;
        }

        foreach (string directory in (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            // An empty or relative PATH entry means the current directory: exactly what this lookup refuses.
            if (!Path.IsPathRooted(directory))
            {
                continue;
            }

            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                path = candidate;
                return true;
            }
        }

        path = program;
        error = $"'{program}' is not found in PATH's absolute directories";
        return false;
    }

    /// <summary>
    /// <paramref name="argv"/> with its program resolved (<see cref="TryResolve"/>); unchanged when it cannot be, so
    /// the start fails with a clear error rather than running something else.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0 || !TryResolve(argv[0], out string path, out _) || path == argv[0])
        {
            return argv;
        }

        return [path, .. argv.Skip(1)];
    }

    /// <summary>
    /// The start information for <paramref name="argv"/>: the program resolved (<see cref="TryResolve"/>), no shell,
    /// the environment reduced to the allow-list, output redirected (and so to be read with <see cref="Read"/>).
    /// </summary>
    /// <exception cref="Win32Exception">The program is not found (error 2, as exec would report it).</exception>
    public static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, IEnumerable<string>? passEnvironment = null, bool redirectInput = false)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("A command needs a program.", nameof(argv));
        }

        if (!TryResolve(argv[0], out string program, out string? error))
        {
            throw new Win32Exception(2, $"cannot run {error}");
        }

        ProcessStartInfo info = new(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        for (int i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }

        FilterEnvironment(info.Environment, passEnvironment is null ? DefaultEnvironment : [.. DefaultEnvironment, .. passEnvironment]);
        return info;
    }

    /// <summary>Starts <paramref name="process"/> with only descriptors 0–2 to inherit.</summary>
    /// <exception cref="Win32Exception">The program could not be started.</exception>
    public static void Start(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        SealDescriptors();
        if (!process.Start())
        {
            throw new Win32Exception($"{process.StartInfo.FileName} did not start");
        }
    }

    /// <summary>Starts <paramref name="info"/> with only descriptors 0–2 to inherit.</summary>
    /// <exception cref="Win32Exception">The program could not be started.</exception>
    public static Process Start(ProcessStartInfo info)
    {
        Process process = new() { StartInfo = info };
        try
        {
            Start(process);
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Marks every descriptor above 2 close-on-exec. The runtime's own are already; this catches what native code opened
    /// without the flag. Call it before starting a program, and after opening such a descriptor.
    /// </summary>
    public static void SealDescriptors()
    {
        if (CloseRange(3, uint.MaxValue, CloseRangeCloexec) == 0)
        {
            return;
        }

        // Kernels before 5.11: mark them one by one.
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd > 2)
            {
                _ = Fcntl(fd, FdSetFlags, FdCloexec);
            }
        }
    }

    /// <summary>
    /// Starts reading <paramref name="reader"/> to its end, keeping at most <paramref name="limit"/> characters; the
    /// rest is read (so the program never blocks on a full pipe) and counted, never stored. What is kept so far can be
    /// read at any time; <see cref="BoundedOutput.Completion"/> ends with the pipe, and never faults.
    /// </summary>
    public static BoundedOutput Read(StreamReader reader, int limit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        BoundedOutput output = new(limit);
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        output.Completion = done.Task;

        // A thread of its own, reading synchronously: a pipe read on Unix blocks a thread either way, and a long-lived
        // script (the FIFO reader) must not hold thread-pool threads for its whole life.
        Thread thread = new(() =>
        {
            char[] buffer = new char[4096];
            try
            {
                int read;
                while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    output.Append(buffer.AsSpan(0, read));
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The process object was disposed under the read.
            }
            finally
            {
                done.TrySetResult();
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "vrrp-child-output",
        };
        thread.Start();
        return output;
    }

    /// <summary>Disposes <paramref name="process"/> once <paramref name="readers"/> have read its pipes to their end.</summary>
    public static void DisposeWhenDrained(Process process, Task readers)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(readers);
        _ = readers.ContinueWith(static (_, state) => ((Process)state!).Dispose(), process, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Whether <paramref name="pattern"/> is a variable name, or a prefix ending in <c>*</c>.</summary>
    public static bool IsValidEnvironmentPattern(string? pattern)
    {
        string name = pattern is { Length: > 1 } && pattern[^1] == '*' ? pattern[..^1] : pattern ?? "";
        return name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    private static void FilterEnvironment(IDictionary<string, string?> environment, IReadOnlyList<string> allowed)
    {
        foreach (string name in environment.Keys.ToArray())
        {
            if (!IsAllowed(name, allowed))
            {
                environment.Remove(name);
            }
        }
    }

    private static bool IsAllowed(string name, IReadOnlyList<string> allowed)
    {
        foreach (string pattern in allowed)
        {
            if (pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern)
            {
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    private static partial int CloseRange(uint first, uint last, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}

/// <summary>Program output kept up to a limit, with how much more there was.</summary>
internal sealed class BoundedOutput
{
    private readonly StringBuilder _text = new();
    private readonly int _limit;

    /// <summary>Keeps at most <paramref name="limit"/> characters.</summary>
    public BoundedOutput(int limit) => _limit = Math.Max(0, limit);

    /// <summary>Ends when the pipe has been read to its end (or closed under the read); never faults.</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    /// <summary>The characters read and not kept.</summary>
    public long Dropped { get; private set; }

    /// <summary>What was kept.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Keeps what fits, counts the rest.</summary>
    public void Append(ReadOnlySpan<char> chunk)
    {
        lock (_text)
        {
            int room = Math.Max(0, Math.Min(chunk.Length, _limit - _text.Length));
            _text.Append(chunk[..room]);
            Dropped += chunk.Length - room;
        }
    }

    /// <summary>The first non-blank line kept, trimmed, or null.</summary>
    public string? FirstLine() =>
        Text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0);
}
