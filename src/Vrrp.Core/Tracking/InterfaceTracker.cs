using System.Globalization;

namespace Vrrp.Tracking;

/// <summary>Options of an <see cref="InterfaceTracker"/> (keepalived <c>track_interface</c>).</summary>
public sealed class InterfaceTrackerOptions : TrackerOptions
{
    /// <summary>The network interface, e.g. <c>eth0</c>.</summary>
    public string InterfaceName { get; set; } = "";

    /// <summary>Where the kernel lists interfaces (default <c>/sys/class/net</c>); e.g. <c>/host/sys/class/net</c> in a container.</summary>
    public string SysfsPath { get; set; } = "/sys/class/net";

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(InterfaceName) || InterfaceName.Length > 15 || InterfaceName is "." or ".."
            || InterfaceName.AsSpan().IndexOfAny('/', ' ', '\0') >= 0)
        {
            errors.Add($"{nameof(InterfaceName)}: must be a Linux interface name (1..15 characters, no '/' or blanks); got '{InterfaceName}'.");
        }

        if (string.IsNullOrEmpty(SysfsPath))
        {
            errors.Add($"{nameof(SysfsPath)}: required.");
        }
    }
}

/// <summary>
/// keepalived <c>track_interface</c>: reads <c>SYSFS/IF/operstate</c>. <c>up</c> is success; <c>unknown</c> (loopback,
/// tun and other drivers that do not report a link state) is success while the interface is administratively up
/// (IFF_UP in <c>SYSFS/IF/flags</c>); anything else (<c>down</c>, <c>lowerlayerdown</c>, <c>dormant</c>, ...) and a
/// missing interface are failures.
/// </summary>
public sealed class InterfaceTracker : IVrrpTracker
{
    private const int IffUp = 0x1;
    private readonly string _interface;
    private readonly string _directory;

    /// <summary>Creates the tracker.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public InterfaceTracker(InterfaceTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _interface = options.InterfaceName;
        _directory = Path.Combine(options.SysfsPath, options.InterfaceName);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_directory))
        {
            return TrackerResult.Fail($"interface {_interface} not found");
        }

        string state;
        try
        {
            state = (await File.ReadAllTextAsync(Path.Combine(_directory, "operstate"), cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TrackerResult.Fail($"interface {_interface}: cannot read operstate: {ex.Message}");
        }

        if (state == "up")
        {
            return TrackerResult.Ok($"interface {_interface} operstate up");
        }

        if (state == "unknown")
        {
            int? flags = await ReadFlagsAsync(cancellationToken).ConfigureAwait(false);
            return flags is { } f && (f & IffUp) == 0
                ? TrackerResult.Fail($"interface {_interface} operstate unknown and administratively down")
                : TrackerResult.Ok($"interface {_interface} operstate unknown, administratively up");
        }

        return TrackerResult.Fail($"interface {_interface} operstate {(state.Length == 0 ? "empty" : state)}");
    }

    private async Task<int?> ReadFlagsAsync(CancellationToken cancellationToken)
    {
        try
        {
            string text = (await File.ReadAllTextAsync(Path.Combine(_directory, "flags"), cancellationToken).ConfigureAwait(false)).Trim();
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                text = text[2..];
            }

            return int.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int flags) ? flags : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
