using System.Collections.Concurrent;
using System.Diagnostics;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>
/// keepalived running in the foreground inside a namespace, VRRP only, logging to our pipe:
/// <c>keepalived -n -l -D -G -P -f CONF -p P -r R -c C -b B</c> with pid files of its own so several coexist. Two builds:
/// Debian's package (2.2.7) and the newest, 2.4.3 (auth_hmac), from <c>../shared/third-party/keepalived-2.4.3/build.sh</c>.
/// </summary>
public sealed class Keepalived
{
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly SemaphoreSlim _newLine = new(0);

    private NetnsLab _lab = null!;
    private string _ns = "";
    private string _directory = "";
    private string _arguments = "";
    private string _binary = "";

    /// <summary>The distribution's keepalived.</summary>
    public const string Debian = "2.2.7";

    /// <summary>The newest keepalived, with auth_hmac.</summary>
    public const string Newest = "2.4.3";

    /// <summary>
    /// The keepalived binary of <paramref name="version"/>, checked to be that version: 2.2.7 on PATH (apt-get install
    /// keepalived); 2.4.3 at <c>KEEPALIVED_24</c> or where build.sh installs it. Missing fails the test, never skips it.
    /// </summary>
    public static string Binary(string version)
    {
        string binary = version == Newest
            ? Environment.GetEnvironmentVariable("KEEPALIVED_24") is { Length: > 0 } configured ? configured : "/opt/keepalived-2.4.3/sbin/keepalived"
            : Prerequisites.RequireProgram("keepalived", "keepalived");
        Assert.True(File.Exists(binary), $"keepalived {version} is not installed at {binary}: run sudo ../shared/third-party/keepalived-2.4.3/build.sh, or set KEEPALIVED_24 (.ci/run installs it).");
        string reported = Versions.GetOrAdd(binary, b =>
        {
            using Process process = Process.Start(new ProcessStartInfo(b, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(10_000);
            return text;
        });
        Assert.True(reported.Contains($"v{version}", StringComparison.Ordinal), $"{binary} is not keepalived {version}: {reported.Split('\n')[0]}");
        return binary;
    }

    private static readonly ConcurrentDictionary<string, string> Versions = new(StringComparer.Ordinal);

    private Keepalived(Process process) => Process = process;

    public Process Process { get; private set; }

    /// <summary>Every line keepalived printed so far, with the time since start.</summary>
    public IReadOnlyList<(TimeSpan At, string Line)> Lines => [.. _lines];

    public string Log => string.Join('\n', _lines.Select(l => $"{l.At.TotalSeconds,7:0.000} {l.Line}"));

    public static Keepalived Start(NetnsLab lab, string ns, string name, string configuration, string version = Debian)
    {
        string binary = Binary(version);
        string directory = Path.Combine(lab.Directory, name);
        System.IO.Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "keepalived.conf");
        File.WriteAllText(config, configuration);
        string Pid(string kind) => Path.Combine(directory, $"{kind}.pid");
        Keepalived keepalived = new(null!)
        {
            _lab = lab,
            _ns = ns,
            _directory = directory,
            _binary = binary,
            _arguments = $"-n -l -D -G -P -f {config} -p {Pid("main")} -r {Pid("vrrp")} -c {Pid("check")} -b {Pid("bfd")}",
        };
        keepalived.Process = lab.Start(ns, LineBuffered(binary).Command, LineBuffered(binary).Arguments + keepalived._arguments, keepalived.OnLine);
        return keepalived;
    }

    /// <summary>SIGKILL to keepalived and its VRRP child (the parent would respawn the child), pid files removed.</summary>
    public DateTimeOffset Kill()
    {
        DateTimeOffset at = DateTimeOffset.UtcNow;
        foreach (string kind in new[] { "vrrp", "main" })
        {
            string file = Path.Combine(_directory, $"{kind}.pid");
            if (File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out int pid))
            {
                Signal(pid, 9);
            }
        }

        Process.WaitForExit(5000);
        foreach (string file in System.IO.Directory.GetFiles(_directory, "*.pid"))
        {
            File.Delete(file);
        }

        return at;
    }

    /// <summary>SIGTERM to keepalived: the graceful stop (a MASTER sends priority 0).</summary>
    public DateTimeOffset Terminate()
    {
        DateTimeOffset at = DateTimeOffset.UtcNow;
        Signal(Process.Id, 15);
        Assert.True(Process.WaitForExit(10_000), $"keepalived did not stop after SIGTERM. Its log:\n{Log}");
        return at;
    }

    /// <summary>Starts keepalived again with the same configuration (after <see cref="Kill"/> or <see cref="Terminate"/>).</summary>
    public void Restart()
    {
        (string command, string prefix) = LineBuffered(_binary);
        Process = _lab.Start(_ns, command, prefix + _arguments, OnLine);
    }

    /// <summary>Writes a new configuration and sends SIGHUP to keepalived's parent: its reload.</summary>
    public void Reload(string configuration)
    {
        File.WriteAllText(Path.Combine(_directory, "keepalived.conf"), configuration);
        Signal(Process.Id, 1);
    }

    /// <summary>
    /// keepalived's stdout into a pipe is block-buffered: state lines would reach us up to a second late (its own
    /// time stamps have whole seconds only). <c>stdbuf -oL</c> (coreutils) makes it line-buffered; it execs keepalived.
    /// </summary>
    private static (string Command, string Arguments) LineBuffered(string binary) =>
        Prerequisites.RequireProgram("stdbuf", "coreutils") is { } stdbuf ? (stdbuf, $"-oL -eL {binary} ") : (binary, "");

    /// <summary>The time keepalived's output showed <paramref name="fragment"/> (first at or after <paramref name="from"/>).</summary>
    public TimeSpan? TimeOf(string fragment, int from = 0) =>
        Lines.Skip(from).FirstOrDefault(l => l.Line.Contains(fragment, StringComparison.Ordinal)) is { Line: not null } hit ? hit.At : null;

    /// <summary>Wall-clock time of a log line, from its offset since start.</summary>
    public DateTimeOffset WallClock(TimeSpan at) => _started + at;

    /// <summary>Waits for a line that satisfies <paramref name="match"/>; fails the test with the log on timeout.</summary>
    public string WaitFor(Func<string, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        Stopwatch waited = Stopwatch.StartNew();
        int seen = from;
        while (true)
        {
            (TimeSpan At, string Line)[] lines = [.. _lines];
            for (; seen < lines.Length; seen++)
            {
                if (match(lines[seen].Line))
                {
                    return lines[seen].Line;
                }
            }

            TimeSpan left = timeout - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"keepalived did not log {what} within {timeout.TotalSeconds} s. Its log:\n{Log}");
            }

            _newLine.Wait(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public string WaitFor(string fragment, TimeSpan timeout, int from = 0) => WaitFor(l => l.Contains(fragment, StringComparison.Ordinal), timeout, $"'{fragment}'", from);

    /// <summary>How many lines have been logged: pass it as <c>from</c> to wait only for what comes next.</summary>
    public int Mark() => _lines.Count;

    /// <summary>Whether a line containing <paramref name="fragment"/> was logged at or after <paramref name="from"/>.</summary>
    public bool Logged(string fragment, int from = 0) => Lines.Skip(from).Any(l => l.Line.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Lines that show keepalived rejecting a packet (checksum, TTL, auth, length complaints).</summary>
    public IEnumerable<string> Complaints() => _lines.Select(l => l.Line).Where(l =>
        l.Contains("invalid", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("bogus", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("checksum", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("ttl", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("mismatch", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("authentication trailer", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("authentication key", StringComparison.OrdinalIgnoreCase));

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
#pragma warning disable SYSLIB1054
    private static extern int Signal(int pid, int signal);
#pragma warning restore SYSLIB1054

    private void OnLine(string line)
    {
        _lines.Enqueue((_clock.Elapsed, line));
        _newLine.Release();
    }
}
