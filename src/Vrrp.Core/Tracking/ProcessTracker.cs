using System.Globalization;

namespace Vrrp.Tracking;

/// <summary>Options of a <see cref="ProcessTracker"/> (keepalived <c>vrrp_track_process</c>).</summary>
public sealed class ProcessTrackerOptions : TrackerOptions
{
    /// <summary>The longest process name the kernel keeps in <c>/proc/PID/comm</c> (TASK_COMM_LEN − 1).</summary>
    public const int MaxCommLength = 15;

    /// <summary>The process name to match exactly (keepalived <c>process</c>; like <c>pgrep -x</c>, not a regular
    /// expression): the contents of <c>/proc/PID/comm</c>, which the kernel truncates to 15 characters, so a longer
    /// name is compared on its first 15. With <see cref="MatchFullCommandLine"/>, the whole command line instead.</summary>
    public string ProcessName { get; set; } = "";

    /// <summary>Match <see cref="ProcessName"/> against the command line (<c>/proc/PID/cmdline</c>, arguments joined
    /// by single spaces) instead of the process name (keepalived <c>full_command</c>, like <c>pgrep -f -x</c>).</summary>
    public bool MatchFullCommandLine { get; set; }

    /// <summary>The minimum number of matching processes for success (keepalived <c>quorum</c>, default 1).</summary>
    public int Quorum { get; set; } = 1;

    /// <summary>The maximum number of matching processes for success (keepalived <c>quorum_max</c>); <see langword="null"/> = no limit.</summary>
    public int? QuorumMax { get; set; }

    /// <summary>Where procfs is mounted (default <c>/proc</c>); e.g. <c>/host/proc</c> in a container watching its host.</summary>
    public string ProcPath { get; set; } = "/proc";

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(ProcessName))
        {
            errors.Add($"{nameof(ProcessName)}: required.");
        }

        if (Quorum < 0)
        {
            errors.Add($"{nameof(Quorum)}: must be at least 0; got {Quorum}.");
        }

        if (QuorumMax is { } max && max < Quorum)
        {
            errors.Add($"{nameof(QuorumMax)}: must be at least {nameof(Quorum)} ({Quorum}); got {max}.");
        }

        if (string.IsNullOrEmpty(ProcPath))
        {
            errors.Add($"{nameof(ProcPath)}: required.");
        }
    }
}

/// <summary>
/// keepalived <c>track_process</c> (and the common <c>killall -0 NAME</c> script, without a process per check):
/// counts the running processes whose name (or command line) equals the configured one by scanning procfs, and
/// succeeds when the count is within <see cref="ProcessTrackerOptions.Quorum"/>..<see cref="ProcessTrackerOptions.QuorumMax"/>.
/// Zombies are not counted (as keepalived). Processes in every network namespace of the PID namespace are seen.
/// </summary>
public sealed class ProcessTracker : IVrrpTracker
{
    private readonly ProcessTrackerOptions _options;
    private readonly string _name;

    /// <summary>Creates the tracker.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public ProcessTracker(ProcessTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = new ProcessTrackerOptions
        {
            Name = options.Name,
            ProcessName = options.ProcessName,
            MatchFullCommandLine = options.MatchFullCommandLine,
            Quorum = options.Quorum,
            QuorumMax = options.QuorumMax,
            ProcPath = options.ProcPath,
        };
        _name = !options.MatchFullCommandLine && options.ProcessName.Length > ProcessTrackerOptions.MaxCommLength
            ? options.ProcessName[..ProcessTrackerOptions.MaxCommLength]
            : options.ProcessName;
        Name = options.Name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Counts the matching, non-zombie processes now.</summary>
    /// <exception cref="DirectoryNotFoundException">procfs is not at <see cref="ProcessTrackerOptions.ProcPath"/>.</exception>
    public int CountMatches(CancellationToken cancellationToken = default)
    {
        int count = 0;
        foreach (string dir in Directory.EnumerateDirectories(_options.ProcPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<char> pid = Path.GetFileName(dir.AsSpan());
            if (pid.IsEmpty || !IsDigits(pid))
            {
                continue;
            }

            try
            {
                string text = _options.MatchFullCommandLine
                    ? string.Join(' ', File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.None).SkipLastEmpty())
                    : File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
                if (text == _name && !IsZombie(dir))
                {
                    count++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended during the scan, or is not ours to read.
            }
        }

        return count;
    }

    /// <inheritdoc/>
    public Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        int count;
        try
        {
            count = CountMatches(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(TrackerResult.Fail($"cannot scan {_options.ProcPath}: {ex.Message}"));
        }

        string what = _options.MatchFullCommandLine ? "command line" : "name";
        string need = _options.QuorumMax is { } max ? $"{_options.Quorum}..{max}" : $"at least {_options.Quorum}";
        string reason = string.Create(CultureInfo.InvariantCulture, $"{count} process(es) with {what} '{_options.ProcessName}' (need {need})");
        bool ok = count >= _options.Quorum && (_options.QuorumMax is not { } limit || count <= limit);
        return Task.FromResult(ok ? TrackerResult.Ok(reason, count) : TrackerResult.Fail(reason, count));
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsZombie(string dir)
    {
        // /proc/PID/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, so look after the last ')'.
        string stat = File.ReadAllText(Path.Combine(dir, "stat"));
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
    }
}

internal static class ProcessTrackerExtensions
{
    public static IEnumerable<string> SkipLastEmpty(this string[] parts) =>
        parts.Length > 0 && parts[^1].Length == 0 ? parts.Take(parts.Length - 1) : parts;
}
