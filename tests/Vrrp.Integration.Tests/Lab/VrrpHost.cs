using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>One transition line of <c>vrrp run</c>: <c>vrrp-transition instance=.. from=.. to=.. priority=.. reason=.. time=..</c>.</summary>
public sealed record TransitionLine(string Instance, string From, string To, int Priority, string Reason, DateTimeOffset Time)
{
    public static TransitionLine? TryParse(string line)
    {
        if (!line.StartsWith("vrrp-transition ", StringComparison.Ordinal))
        {
            return null;
        }

        Dictionary<string, string> fields = line["vrrp-transition ".Length..].Split(' ')
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new TransitionLine(fields["instance"], fields["from"], fields["to"], int.Parse(fields["priority"], CultureInfo.InvariantCulture), fields["reason"],
            DateTimeOffset.Parse(fields["time"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }
}

/// <summary>Our console host, <c>vrrp run --config FILE</c>, as a process inside a namespace.</summary>
public sealed class VrrpHost
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<TransitionLine> _transitions = new();
    private bool _stateFileArgument = true;

    private VrrpHost(NetnsLab lab, string ns, string config)
    {
        Lab = lab;
        Namespace = ns;
        ConfigPath = config;
    }

    public NetnsLab Lab { get; }

    public string Namespace { get; }

    public string ConfigPath { get; }

    public Process? Process { get; private set; }

    public IReadOnlyList<TransitionLine> Transitions => [.. _transitions];

    public string Log => string.Join('\n', _lines);

    /// <summary>Writes the configuration and starts <c>vrrp run</c> on it, with <c>--state-file DIR/state.json</c> unless <paramref name="stateFileArgument"/> is false.</summary>
    public static VrrpHost Start(NetnsLab lab, string ns, string name, string configuration, string extraArguments = "", bool stateFileArgument = true)
    {
        string directory = Path.Combine(lab.Directory, name);
        Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "vrrp.conf");
        File.WriteAllText(config, configuration);
        VrrpHost host = new(lab, ns, config) { _stateFileArgument = stateFileArgument };
        host.Restart(extraArguments);
        return host;
    }

    /// <summary>The host's <c>vrrp.dll</c> and the <c>dotnet</c> that runs it.</summary>
    public static (string Dotnet, string Dll) Program()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "vrrp.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)
            ? hostPath
            : Prerequisites.RequireProgram("dotnet", "the .NET SDK");
        return (dotnet, dll);
    }

    public void Restart(string extraArguments = "")
    {
        (string dotnet, string dll) = Program();
        string stateFile = _stateFileArgument ? $"--state-file {Path.Combine(Path.GetDirectoryName(ConfigPath)!, "state.json")} " : "";
        Process = Lab.Start(Namespace, dotnet, $"{dll} run --config {ConfigPath} --log-level Debug {stateFile}{extraArguments}", OnLine);
    }

    /// <summary>SIGKILL: the process vanishes without a priority-0 advert. Returns the time of the kill.</summary>
    public DateTimeOffset Kill()
    {
        Process process = Process ?? throw new InvalidOperationException("not started");
        DateTimeOffset at = DateTimeOffset.UtcNow;
        // ip netns exec execs the program, so the PID is the host's own.
        Signal(process.Id, 9);
        process.WaitForExit(5000);
        return at;
    }

    /// <summary>SIGTERM: the graceful stop (a MASTER sends priority 0). Returns the time of the signal.</summary>
    public DateTimeOffset Terminate(TimeSpan wait)
    {
        Process process = Process ?? throw new InvalidOperationException("not started");
        DateTimeOffset at = DateTimeOffset.UtcNow;
        Signal(process.Id, 15);
        Assert.True(process.WaitForExit((int)wait.TotalMilliseconds), $"vrrp did not stop within {wait} of SIGTERM. Its log:\n{Log}");
        return at;
    }

    /// <summary>SIGHUP: reload the configuration file.</summary>
    public void Hangup() => Signal((Process ?? throw new InvalidOperationException("not started")).Id, 1);

    /// <summary>Writes a new configuration and sends SIGHUP; waits until the host reports the reload.</summary>
    public void Reload(string configuration, TimeSpan timeout)
    {
        int lines = _lines.Count;
        File.WriteAllText(ConfigPath, configuration);
        Hangup();
        Stopwatch watch = Stopwatch.StartNew();
        while (!_lines.Skip(lines).Any(l => l.Contains("SIGHUP", StringComparison.Ordinal)))
        {
            Assert.True(watch.Elapsed < timeout, $"vrrp in {Namespace} did not reload within {timeout.TotalSeconds} s. Its output:\n{Log}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits until the host reports entering <paramref name="state"/> at or after <paramref name="from"/>.</summary>
    public TransitionLine WaitForState(string state, TimeSpan timeout, int from = 0)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Transitions.Skip(from).FirstOrDefault(t => t.To == state) is { } transition)
            {
                return transition;
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"vrrp in {Namespace} did not enter {state} within {timeout.TotalSeconds} s. Its output:\n{Log}");
        return null!;
    }

    /// <summary>
    /// Waits for the first entry into <paramref name="state"/> stamped at or after <paramref name="since"/>. Transition
    /// lines reach us late under load, so a count taken earlier can miss ones stamped before it; the stamps do not lie.
    /// </summary>
    public TransitionLine WaitForStateSince(string state, DateTimeOffset since, TimeSpan timeout)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Transitions.FirstOrDefault(t => t.To == state && t.Time >= since) is { } transition)
            {
                return transition;
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"vrrp in {Namespace} did not enter {state} after {since:HH:mm:ss.fff} within {timeout.TotalSeconds} s. Its output:\n{Log}");
        return null!;
    }

    public string State => Transitions.LastOrDefault()?.To ?? "NONE";

    public int Mark() => _transitions.Count;

    private void OnLine(string line)
    {
        _lines.Enqueue(line);
        if (TransitionLine.TryParse(line) is { } transition)
        {
            _transitions.Enqueue(transition);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
#pragma warning disable SYSLIB1054
    private static extern int Signal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
