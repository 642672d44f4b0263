using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vrrp.Actions;

/// <summary>A virtual address with its prefix length, as <c>ip addr add</c> takes it (<c>192.0.2.100/24</c>).</summary>
/// <param name="Address">The address.</param>
/// <param name="PrefixLength">Its prefix length: 0..32 for IPv4, 0..128 for IPv6.</param>
public sealed record LocalVirtualAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>Parses <c>ADDRESS/PREFIX</c>; without a prefix, /32 (IPv4) or /128 (IPv6) as keepalived assumes.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The address.</returns>
    /// <exception cref="FormatException">Not an address with an optional valid prefix length.</exception>
    public static LocalVirtualAddress Parse(string text) =>
        TryParse(text, out LocalVirtualAddress? address) ? address : throw new FormatException($"'{text}' is not ADDRESS[/PREFIX] (for example 192.0.2.100/24 or 2001:db8::100/64).");

    /// <summary>Tries to parse <c>ADDRESS/PREFIX</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="address">The address, on success.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out LocalVirtualAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out IPAddress? ip))
        {
            return false;
        }

        int max = MaxPrefix(ip);
        int prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        address = new LocalVirtualAddress(ip, prefix);
        return true;
    }

    /// <summary>Whether this is an IPv6 address.</summary>
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");

    internal static int MaxPrefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
}
