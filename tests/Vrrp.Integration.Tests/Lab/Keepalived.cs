using System.Collections.Concurrent;
using System.Diagnostics;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>
/// keepalived (Debian's package, 2.2.7) running in the foreground inside a namespace, VRRP only, logging to our
/// pipe: <c>keepalived -n -l -D -G -P -f CONF -p P -r R -c C -b B</c> with pid files of its own so several coexist.
/// </summary>
public sealed class Keepalived
{
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _newLine = new(0);

    private Keepalived(Process process) => Process = process;

    public Process Process { get; private set; }

    /// <summary>Every line keepalived printed so far, with the time since start.</summary>
    public IReadOnlyList<(TimeSpan At, string Line)> Lines => [.. _lines];

    public string Log => string.Join('\n', _lines.Select(l => $"{l.At.TotalSeconds,7:0.000} {l.Line}"));

    public static Keepalived Start(NetnsLab lab, string ns, string name, string configuration)
    {
        string binary = Prerequisites.RequireProgram("keepalived", "keepalived");
        string directory = Path.Combine(lab.Directory, name);
        System.IO.Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "keepalived.conf");
        File.WriteAllText(config, configuration);
        string Pid(string kind) => Path.Combine(directory, $"{kind}.pid");
        Keepalived keepalived = new(null!);
        keepalived.Process = lab.Start(ns, binary,
            $"-n -l -D -G -P -f {config} -p {Pid("main")} -r {Pid("vrrp")} -c {Pid("check")} -b {Pid("bfd")}",
            keepalived.OnLine);
        return keepalived;
    }

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
        l.Contains("mismatch", StringComparison.OrdinalIgnoreCase));

    private void OnLine(string line)
    {
        _lines.Enqueue((_clock.Elapsed, line));
        _newLine.Release();
    }
}
