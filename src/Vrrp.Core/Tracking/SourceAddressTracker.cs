using System.Net;
using System.Net.NetworkInformation;

namespace Vrrp.Tracking;

/// <summary>Options of a <see cref="SourceAddressTracker"/> (keepalived <c>track_src_ip</c>).</summary>
public sealed class SourceAddressTrackerOptions : TrackerOptions
{
    /// <summary>The address that must be configured (the instance's <c>unicast_src_ip</c>).</summary>
    public IPAddress? Address { get; set; }

    /// <summary>The interface it must be on (the instance's <c>interface</c>); <see langword="null"/>: any interface.</summary>
    public string? InterfaceName { get; set; }

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Address is null)
        {
            errors.Add($"{nameof(Address)}: required.");
        }

        if (InterfaceName is { } name && (name.Length is 0 or > 15 || name.AsSpan().IndexOfAny('/', ' ', '\0') >= 0))
        {
            errors.Add($"{nameof(InterfaceName)}: must be a Linux interface name (1..15 characters, no '/' or blanks); got '{name}'.");
        }
    }
}

/// <summary>
/// keepalived <c>track_src_ip</c>: succeeds while the instance's source address is configured on its interface (on any
/// interface when the instance names none), fails once it is removed (the instance goes to FAULT with weight 0) and
/// succeeds again when it is back. keepalived learns this from netlink at once; this tracker reads the host's addresses
/// (getifaddrs, the process's network namespace) every <see cref="TrackerOptions.Interval"/>.
/// </summary>
public sealed class SourceAddressTracker : IVrrpTracker
{
    private readonly IPAddress _address;
    private readonly byte[] _bytes;
    private readonly string? _interface;

    /// <summary>Creates the tracker.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public SourceAddressTracker(SourceAddressTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _address = options.Address!;
        _bytes = _address.GetAddressBytes();
        _interface = options.InterfaceName;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (_interface is not null && nic.Name != _interface)
            {
                continue;
            }

            // By bytes: a configured fe80:: source has no scope id, the interface's address has one.
            if (nic.GetIPProperties().UnicastAddresses.Any(a => a.Address.AddressFamily == _address.AddressFamily && a.Address.GetAddressBytes().AsSpan().SequenceEqual(_bytes)))
            {
                return Task.FromResult(TrackerResult.Ok($"source address {_address} is on {nic.Name}"));
            }
        }

        return Task.FromResult(TrackerResult.Fail(_interface is null
            ? $"source address {_address} is on no interface"
            : $"source address {_address} is not on {_interface}"));
    }
}
