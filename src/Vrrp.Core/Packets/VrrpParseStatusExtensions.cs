namespace Vrrp.Packets;

/// <summary>Human-readable text for <see cref="VrrpParseStatus"/>.</summary>
public static class VrrpParseStatusExtensions
{
    /// <summary>A one-sentence explanation of why a packet was rejected (stable text, safe to log).</summary>
    public static string Describe(this VrrpParseStatus status) => status switch
    {
        VrrpParseStatus.Success => "the packet is a well-formed VRRP advertisement",
        VrrpParseStatus.TooShort => "fewer bytes than the fixed header (VRRP 8, IPv4 20, IPv6 40)",
        VrrpParseStatus.LengthMismatch => "the message length does not match its address count",
        VrrpParseStatus.BadVersion => "the VRRP version is neither 2 nor 3",
        VrrpParseStatus.BadType => "the VRRP type is not 1 (ADVERTISEMENT)",
        VrrpParseStatus.InvalidVirtualRouterId => "the virtual router identifier is 0",
        VrrpParseStatus.ZeroInterval => "the advertisement interval is 0",
        VrrpParseStatus.InvalidAuthType => "the VRRPv2 authentication type is not 0, 1 or 2",
        VrrpParseStatus.BadChecksum => "the checksum is wrong under every accepted variant",
        VrrpParseStatus.AddressFamilyMismatch => "the message does not fit the IP address family (VRRPv2 over IPv6, or mixed address sizes)",
        VrrpParseStatus.AuthTypeMismatch => "the VRRPv2 authentication type differs from the configured one",
        VrrpParseStatus.AuthFailure => "the VRRPv2 password differs from the configured one",
        VrrpParseStatus.BadIPVersion => "the IP version is not the one expected (4 or 6)",
        VrrpParseStatus.BadIPHeaderLength => "the IPv4 header length is below 20 bytes or beyond the packet",
        VrrpParseStatus.BadIPHeaderChecksum => "the IPv4 header checksum is wrong",
        VrrpParseStatus.BadIPTotalLength => "the IP total length is beyond the bytes received or shorter than the header",
        VrrpParseStatus.NotVrrpProtocol => "the IP protocol is not 112 (VRRP)",
        VrrpParseStatus.Fragmented => "the IPv4 packet is a fragment",
        VrrpParseStatus.UnsupportedIPv6ExtensionHeader => "the IPv6 packet has an extension header before VRRP",
        _ => $"unknown status {(int)status}",
    };

    /// <summary>The status as a snake_case counter name, e.g. <c>bad_checksum</c> (keepalived style).</summary>
    public static string ToCounterName(this VrrpParseStatus status) => SnakeCase.Convert(status.ToString());
}
