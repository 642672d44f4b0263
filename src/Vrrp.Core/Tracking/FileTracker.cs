using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Platform;

namespace Vrrp.Tracking;

/// <summary>Options of a <see cref="FileTracker"/> (keepalived <c>track_file</c>).</summary>
public sealed class FileTrackerOptions : TrackerOptions
{
    /// <summary>The file holding an integer (keepalived <c>file</c>).</summary>
    public string Path { get; set; } = "";

    /// <summary>keepalived <c>init_file [VALUE]</c>: when set, the value written to the file before the first check if it does not exist.</summary>
    public long? InitialValue { get; set; }

    /// <summary>keepalived <c>init_file VALUE overwrite</c>: write <see cref="InitialValue"/> even when the file exists.</summary>
    public bool OverwriteInitialValue { get; set; }

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add($"{nameof(Path)}: required.");
        }

        if (OverwriteInitialValue && InitialValue is null)
        {
            errors.Add($"{nameof(OverwriteInitialValue)}: needs {nameof(InitialValue)}.");
        }
    }
}

/// <summary>
/// keepalived <c>track_file</c>, in the success/failure model: reads the integer on the file's first line; 0 is
/// success and any other value failure (exactly keepalived's rule for weight 0). The value itself is in
/// <see cref="TrackerResult.Value"/> and <see cref="LastValue"/>; keepalived's dynamic rule for a non-zero weight
/// (priority += value × weight) is not applied by the router: see docs/trackers.md. A missing, unreadable or
/// non-numeric file is a failure with no value.
/// </summary>
public sealed class FileTracker : IVrrpTracker
{
    /// <summary>The most bytes read of the file: a number and a line end, with room to spare.</summary>
    private const int MaxFileBytes = 4096;

    private readonly string _path;
    private readonly long? _initialValue;
    private readonly bool _overwrite;
    private readonly ILogger _logger;
    private int _initialised;
    private long _lastValue;
    private int _hasValue;

    /// <summary>Creates the tracker; <see cref="FileTrackerOptions.InitialValue"/> is written at the first check.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public FileTracker(FileTrackerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _path = options.Path;
        _initialValue = options.InitialValue;
        _overwrite = options.OverwriteInitialValue;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The value read by the last successful read, or <see langword="null"/>.</summary>
    public long? LastValue => Volatile.Read(ref _hasValue) == 1 ? Interlocked.Read(ref _lastValue) : null;

    /// <inheritdoc/>
    public Task<TrackerResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Check(cancellationToken));

    private TrackerResult Check(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_initialValue is { } initial && Interlocked.Exchange(ref _initialised, 1) == 0)
        {
            try
            {
                // Created when missing (or rewritten with overwrite), never through a symlink or into a FIFO or device.
                SafeFile.Write(_path, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{initial}\n")), replace: _overwrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TrackingLog.FileInitFailed(_logger, Name, _path, ex);
            }
        }

        byte[] content;
        try
        {
            // A bounded read that never blocks (a FIFO at the path is refused, not waited on) and never follows a symlink.
            content = SafeFile.ReadAllBytes(_path, MaxFileBytes, followSymlink: false);
        }
        catch (FileNotFoundException)
        {
            return TrackerResult.Fail($"{_path}: file not found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TrackerResult.Fail(ex.Message.StartsWith(_path, StringComparison.Ordinal) ? ex.Message : $"{_path}: {ex.Message}");
        }

        string text = Encoding.ASCII.GetString(content);
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        string line = (newline >= 0 ? text[..newline] : text).Trim();
        if (!long.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            // Not its content: the file may hold what its writer did not mean to be logged.
            return TrackerResult.Fail(string.Create(CultureInfo.InvariantCulture, $"{_path}: the first line is not an integer ({line.Length} characters)"));
        }

        Interlocked.Exchange(ref _lastValue, value);
        Volatile.Write(ref _hasValue, 1);
        string reason = string.Create(CultureInfo.InvariantCulture, $"{_path}: value {value}");
        return value == 0 ? TrackerResult.Ok(reason, value) : TrackerResult.Fail(reason, value);
    }
}
