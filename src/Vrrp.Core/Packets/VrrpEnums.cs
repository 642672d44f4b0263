namespace Vrrp.Packets;

/// <summary>The VRRP protocol version carried in the high nibble of the first byte.</summary>
public enum VrrpVersion : byte
{
    /// <summary>VRRPv2, RFC 3768: IPv4 only, interval in whole seconds, optional simple-password authentication.</summary>
    V2 = 2,

    /// <summary>VRRPv3, RFC 5798 / RFC 9568: IPv4 or IPv6, interval in centiseconds, no authentication.</summary>
    V3 = 3,
}

/// <summary>The VRRPv2 authentication type (RFC 2338 / RFC 3768 byte 4).</summary>
public enum VrrpAuthType : byte
{
    /// <summary>No authentication; the 8 authentication bytes are zero.</summary>
    None = 0,

    /// <summary>Simple text password (keepalived <c>auth_type PASS</c>), NUL-padded to 8 bytes.</summary>
    SimplePassword = 1,

    /// <summary>IP Authentication Header (keepalived <c>auth_type AH</c>). Recognised on the wire, not implemented.</summary>
    IPAuthenticationHeader = 2,
}

/// <summary>
/// Which bytes the VRRP checksum covers. All variants are the RFC 1071 Internet checksum; they differ in
/// whether and how a pseudo-header is summed with the message.
/// </summary>
public enum VrrpChecksumMode : byte
{
    /// <summary>
    /// The VRRP message alone. Always the case for VRRPv2 (RFC 3768); for VRRPv3 over IPv4 it is RFC 9568's
    /// clarification as some vendors apply it (keepalived <c>v3_checksum_as_v2</c>).
    /// </summary>
    MessageOnly = 0,

    /// <summary>
    /// An IPv4 or IPv6 pseudo-header with the packet's real source and destination, then the message (RFC 5798).
    /// What keepalived 1.3.7 and later send for VRRPv3 over unicast: the default for VRRPv3.
    /// </summary>
    PseudoHeader = 1,

    /// <summary>
    /// The IPv4 pseudo-header with 224.0.0.18 as destination whatever the real destination: keepalived before 1.3.7
    /// and FRR (keepalived <c>old_unicast_checksum</c>). VRRPv3 over IPv4 only.
    /// </summary>
    PseudoHeaderVrrpMulticast = 2,
}

/// <summary>Why a packet was rejected, or <see cref="Success"/>. Each value is a distinct, countable drop reason.</summary>
public enum VrrpParseStatus : byte
{
    /// <summary>The packet is a well-formed VRRP advertisement.</summary>
    Success = 0,

    /// <summary>Fewer bytes than the fixed header (8 bytes of VRRP, 20 of IPv4, 40 of IPv6).</summary>
    TooShort,

    /// <summary>The message length does not match the address count (and, for VRRPv2, the 8 authentication bytes).</summary>
    LengthMismatch,

    /// <summary>The version nibble is neither 2 nor 3.</summary>
    BadVersion,

    /// <summary>The type nibble is not 1 (ADVERTISEMENT).</summary>
    BadType,

    /// <summary>The virtual router identifier is 0; valid identifiers are 1 to 255.</summary>
    InvalidVirtualRouterId,

    /// <summary>The advertisement interval is zero.</summary>
    ZeroInterval,

    /// <summary>A VRRPv2 authentication type other than 0, 1 or 2.</summary>
    InvalidAuthType,

    /// <summary>The checksum is wrong under every variant accepted for this version and address family.</summary>
    BadChecksum,

    /// <summary>The message does not fit the IP address family (VRRPv2 over IPv6, or address bytes of the wrong size).</summary>
    AddressFamilyMismatch,

    /// <summary>The VRRPv2 authentication type differs from the one configured.</summary>
    AuthTypeMismatch,

    /// <summary>The VRRPv2 simple password differs from the one configured.</summary>
    AuthFailure,

    /// <summary>The IP version nibble does not match the expected IP version.</summary>
    BadIPVersion,

    /// <summary>The IPv4 header length field is below 20 bytes or beyond the packet.</summary>
    BadIPHeaderLength,

    /// <summary>The IPv4 header checksum is wrong.</summary>
    BadIPHeaderChecksum,

    /// <summary>The IP total (or IPv6 payload) length is beyond the bytes received or shorter than the header.</summary>
    BadIPTotalLength,

    /// <summary>The IP protocol (or IPv6 next header) is not 112.</summary>
    NotVrrpProtocol,

    /// <summary>The IPv4 packet is a fragment; VRRP adverts are never fragmented.</summary>
    Fragmented,

    /// <summary>The IPv6 packet carries an extension header before the VRRP message.</summary>
    UnsupportedIPv6ExtensionHeader,
}
