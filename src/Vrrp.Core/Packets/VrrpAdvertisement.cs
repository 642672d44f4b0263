using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vrrp.Packets;

/// <summary>
/// One VRRP advertisement, VRRPv2 or VRRPv3, over IPv4 or IPv6: the value that is encoded to and decoded from
/// the wire. Create it with <see cref="CreateV2"/> or <see cref="CreateV3"/>, which validate every field; encode
/// it with <see cref="VrrpCodec.TryWrite(in VrrpAdvertisement, Span{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, VrrpChecksumMode, out int)"/>.
/// </summary>
public readonly struct VrrpAdvertisement : IEquatable<VrrpAdvertisement>
{
    /// <summary>The most addresses one advertisement carries (the count is one byte).</summary>
    public const int MaxAddresses = 255;

    /// <summary>The largest VRRPv3 interval, 4095 centiseconds.</summary>
    public static readonly TimeSpan MaxV3Interval = TimeSpan.FromMilliseconds(40_950);

    private readonly ImmutableArray<IPAddress> _addresses;

    private VrrpAdvertisement(VrrpVersion version, byte virtualRouterId, byte priority, int intervalCentiseconds, AddressFamily family,
        ImmutableArray<IPAddress> addresses, VrrpAuthType authType, VrrpAuthenticationData authenticationData)
    {
        Version = version;
        VirtualRouterId = virtualRouterId;
        Priority = priority;
        IntervalCentiseconds = intervalCentiseconds;
        AddressFamily = family;
        _addresses = addresses;
        AuthType = authType;
        AuthenticationData = authenticationData;
    }

    /// <summary>The protocol version.</summary>
    public VrrpVersion Version { get; }

    /// <summary>The virtual router identifier, 1 to 255.</summary>
    public byte VirtualRouterId { get; }

    /// <summary>The sender's priority: 0 = MASTER leaving, 1 to 254, 255 = address owner.</summary>
    public byte Priority { get; }

    /// <summary>The advertisement interval in centiseconds: VRRPv2 whole seconds × 100, VRRPv3 the 12-bit field.</summary>
    public int IntervalCentiseconds { get; }

    /// <summary>The advertisement interval.</summary>
    public TimeSpan Interval => TimeSpan.FromMilliseconds(IntervalCentiseconds * 10L);

    /// <summary>The IP address family the advertisement travels in and whose addresses it carries.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>The virtual addresses, in wire order; possibly empty.</summary>
    public ImmutableArray<IPAddress> Addresses => _addresses.IsDefault ? [] : _addresses;

    /// <summary>VRRPv2 authentication type; <see cref="VrrpAuthType.None"/> for VRRPv3.</summary>
    public VrrpAuthType AuthType { get; }

    /// <summary>VRRPv2 authentication bytes; empty for VRRPv3.</summary>
    public VrrpAuthenticationData AuthenticationData { get; }

    /// <summary>The number of bytes the encoded message takes.</summary>
    public int MessageLength => GetMessageLength(Version, AddressFamily, Addresses.Length);

    /// <summary>Creates a VRRPv2 advertisement (IPv4 only).</summary>
    /// <param name="virtualRouterId">1 to 255.</param>
    /// <param name="priority">0 to 255.</param>
    /// <param name="intervalSeconds">1 to 255 whole seconds.</param>
    /// <param name="addresses">IPv4 addresses, at most 255; may be empty.</param>
    /// <param name="authType"><see cref="VrrpAuthType.None"/> or <see cref="VrrpAuthType.SimplePassword"/> (AH is not implemented).</param>
    /// <param name="authenticationData">The password bytes for <see cref="VrrpAuthType.SimplePassword"/>; must be empty for <see cref="VrrpAuthType.None"/>.</param>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public static VrrpAdvertisement CreateV2(byte virtualRouterId, byte priority, int intervalSeconds, IEnumerable<IPAddress> addresses,
        VrrpAuthType authType = VrrpAuthType.None, VrrpAuthenticationData authenticationData = default)
    {
        CheckVirtualRouterId(virtualRouterId);
        if (intervalSeconds is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalSeconds), intervalSeconds, "A VRRPv2 advertisement interval is 1 to 255 whole seconds.");
        }

        if (authType is not (VrrpAuthType.None or VrrpAuthType.SimplePassword))
        {
            throw new ArgumentOutOfRangeException(nameof(authType), authType, "VRRPv2 authentication is None or SimplePassword; IP AH is not supported.");
        }

        if (authType == VrrpAuthType.None && authenticationData != VrrpAuthenticationData.Empty)
        {
            throw new ArgumentException("Authentication data must be empty when the authentication type is None.", nameof(authenticationData));
        }

        ImmutableArray<IPAddress> list = CheckAddresses(addresses, AddressFamily.InterNetwork);
        return new VrrpAdvertisement(VrrpVersion.V2, virtualRouterId, priority, intervalSeconds * 100, AddressFamily.InterNetwork, list, authType, authenticationData);
    }

    /// <summary>Creates a VRRPv3 advertisement.</summary>
    /// <param name="virtualRouterId">1 to 255.</param>
    /// <param name="priority">0 to 255.</param>
    /// <param name="interval">10 ms to 40.95 s in whole centiseconds.</param>
    /// <param name="addressFamily"><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>: the family the message travels in.</param>
    /// <param name="addresses">Addresses of that family, at most 255; may be empty.</param>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public static VrrpAdvertisement CreateV3(byte virtualRouterId, byte priority, TimeSpan interval, AddressFamily addressFamily, IEnumerable<IPAddress> addresses)
    {
        CheckVirtualRouterId(virtualRouterId);
        if (interval < TimeSpan.FromMilliseconds(10) || interval > MaxV3Interval || interval.Ticks % TimeSpan.FromMilliseconds(10).Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A VRRPv3 advertisement interval is 10 ms to 40.95 s in steps of 10 ms.");
        }

        if (addressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(addressFamily), addressFamily, "VRRP runs over IPv4 (InterNetwork) or IPv6 (InterNetworkV6).");
        }

        ImmutableArray<IPAddress> list = CheckAddresses(addresses, addressFamily);
        int centiseconds = (int)(interval.Ticks / TimeSpan.FromMilliseconds(10).Ticks);
        return new VrrpAdvertisement(VrrpVersion.V3, virtualRouterId, priority, centiseconds, addressFamily, list, VrrpAuthType.None, default);
    }

    /// <summary>The same advertisement with another priority (e.g. 0 for the shutdown advert).</summary>
    public VrrpAdvertisement WithPriority(byte priority) =>
        new(Version, VirtualRouterId, priority, IntervalCentiseconds, AddressFamily, Addresses, AuthType, AuthenticationData);

    /// <summary>The encoded length of a message of that version and family with <paramref name="addressCount"/> addresses.</summary>
    public static int GetMessageLength(VrrpVersion version, AddressFamily family, int addressCount) =>
        8 + (addressCount * (family == AddressFamily.InterNetworkV6 ? 16 : 4)) + (version == VrrpVersion.V2 ? VrrpAuthenticationData.Length : 0);

    /// <inheritdoc/>
    public bool Equals(VrrpAdvertisement other) =>
        Version == other.Version && VirtualRouterId == other.VirtualRouterId && Priority == other.Priority &&
        IntervalCentiseconds == other.IntervalCentiseconds && AddressFamily == other.AddressFamily &&
        AuthType == other.AuthType && AuthenticationData == other.AuthenticationData &&
        Addresses.SequenceEqual(other.Addresses);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VrrpAdvertisement other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.Add(Version);
        hash.Add(VirtualRouterId);
        hash.Add(Priority);
        hash.Add(IntervalCentiseconds);
        hash.Add(AddressFamily);
        foreach (IPAddress address in Addresses)
        {
            hash.Add(address);
        }

        return hash.ToHashCode();
    }

    /// <summary>A one-line summary; never shows authentication bytes.</summary>
    public override string ToString()
    {
        StringBuilder text = new();
        text.Append("VRRPv").Append((int)Version).Append(" vrid=").Append(VirtualRouterId).Append(" prio=").Append(Priority)
            .Append(" int=").Append(Interval.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)).Append("s addrs=[")
            .AppendJoin(',', Addresses).Append(']');
        if (AuthType != VrrpAuthType.None)
        {
            text.Append(" auth=").Append(AuthType);
        }

        return text.ToString();
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(VrrpAdvertisement left, VrrpAdvertisement right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(VrrpAdvertisement left, VrrpAdvertisement right) => !left.Equals(right);

    internal static VrrpAdvertisement FromWire(VrrpVersion version, byte virtualRouterId, byte priority, int intervalCentiseconds, AddressFamily family,
        ImmutableArray<IPAddress> addresses, VrrpAuthType authType, VrrpAuthenticationData authenticationData) =>
        new(version, virtualRouterId, priority, intervalCentiseconds, family, addresses, authType, authenticationData);

    private static void CheckVirtualRouterId(byte virtualRouterId)
    {
        if (virtualRouterId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(virtualRouterId), virtualRouterId, "A virtual router identifier is 1 to 255.");
        }
    }

    private static ImmutableArray<IPAddress> CheckAddresses(IEnumerable<IPAddress> addresses, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ImmutableArray<IPAddress> list = [.. addresses];
        if (list.Length > MaxAddresses)
        {
            throw new ArgumentException($"An advertisement carries at most {MaxAddresses} addresses; got {list.Length}.", nameof(addresses));
        }

        foreach (IPAddress address in list)
        {
            if (address is null || address.AddressFamily != family)
            {
                throw new ArgumentException($"Every address must be {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")}; got '{address}'.", nameof(addresses));
            }
        }

        return list;
    }
}
