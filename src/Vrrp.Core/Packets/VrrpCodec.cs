using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Vrrp.Packets;

/// <summary>
/// Encodes and decodes VRRP advertisements over spans. Never throws for bad input bytes: every rejection is a
/// <see cref="VrrpParseStatus"/> that names the reason. Nothing here allocates except the methods that say so.
/// </summary>
public static class VrrpCodec
{
    /// <summary>The fixed VRRP header size.</summary>
    public const int HeaderLength = 8;

    /// <summary>The largest message: VRRPv3 with 255 IPv6 addresses.</summary>
    public const int MaxMessageLength = HeaderLength + (VrrpAdvertisement.MaxAddresses * 16);

    private const byte AdvertisementType = 1;

    /// <summary>
    /// Writes <paramref name="advertisement"/> to <paramref name="destination"/> with the checksum computed under
    /// <paramref name="mode"/> (VRRPv2 always uses <see cref="VrrpChecksumMode.MessageOnly"/>).
    /// </summary>
    /// <param name="advertisement">The advertisement to encode.</param>
    /// <param name="destination">Where to write; at least <see cref="VrrpAdvertisement.MessageLength"/> bytes.</param>
    /// <param name="sourceAddress">The IP source address bytes (used by pseudo-header checksums).</param>
    /// <param name="destinationAddress">The IP destination address bytes (used by <see cref="VrrpChecksumMode.PseudoHeader"/>).</param>
    /// <param name="mode">The checksum variant to send.</param>
    /// <param name="bytesWritten">The message length, or 0 when <paramref name="destination"/> is too small.</param>
    /// <returns><see langword="false"/> only when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentException">The advertisement is default, or the addresses do not fit the mode or family.</exception>
    public static bool TryWrite(in VrrpAdvertisement advertisement, Span<byte> destination, ReadOnlySpan<byte> sourceAddress, ReadOnlySpan<byte> destinationAddress,
        VrrpChecksumMode mode, out int bytesWritten)
    {
        if (advertisement.VirtualRouterId == 0)
        {
            throw new ArgumentException("The advertisement is uninitialized; create it with VrrpAdvertisement.CreateV2 or CreateV3.", nameof(advertisement));
        }

        int length = advertisement.MessageLength;
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        Span<byte> message = destination[..length];
        bool v2 = advertisement.Version == VrrpVersion.V2;
        message[0] = (byte)(((int)advertisement.Version << 4) | AdvertisementType);
        message[1] = advertisement.VirtualRouterId;
        message[2] = advertisement.Priority;
        message[3] = (byte)advertisement.Addresses.Length;
        if (v2)
        {
            message[4] = (byte)advertisement.AuthType;
            message[5] = (byte)(advertisement.IntervalCentiseconds / 100);
            advertisement.AuthenticationData.WriteTo(message[^VrrpAuthenticationData.Length..]);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(message[4..], (ushort)advertisement.IntervalCentiseconds);
        }

        message[6] = 0;
        message[7] = 0;
        int size = advertisement.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
        int offset = HeaderLength;
        foreach (IPAddress address in advertisement.Addresses)
        {
            address.TryWriteBytes(message.Slice(offset, size), out _);
            offset += size;
        }

        if (!v2 && mode != VrrpChecksumMode.MessageOnly && sourceAddress.Length != (size == 16 ? 16 : 4))
        {
            throw new ArgumentException($"The source address must be {(size == 16 ? "IPv6" : "IPv4")} for a pseudo-header checksum.", nameof(sourceAddress));
        }

        ushort checksum = VrrpChecksum.Compute(message, sourceAddress, destinationAddress, v2 ? VrrpChecksumMode.MessageOnly : mode);
        BinaryPrimitives.WriteUInt16BigEndian(message[VrrpChecksum.FieldOffset..], checksum);
        bytesWritten = length;
        return true;
    }

    /// <summary>
    /// Appends an <c>auth_hmac</c> trailer (<see cref="VrrpHmac.Sign"/>) to the message <see cref="TryWrite(in VrrpAdvertisement, Span{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, VrrpChecksumMode, out int)"/>
    /// wrote at the start of <paramref name="packet"/>: over IPv6, whose checksum covers the whole payload, the checksum is
    /// computed again; over IPv4 it stays the message's.
    /// </summary>
    /// <param name="packet">The buffer holding the message.</param>
    /// <param name="messageLength">The message's length.</param>
    /// <param name="trailer">The 28-byte trailer.</param>
    /// <param name="sourceAddress">The IP source address bytes.</param>
    /// <param name="destinationAddress">The IP destination address bytes.</param>
    /// <param name="bytesWritten">The message and trailer length, or 0 when <paramref name="packet"/> is too small.</param>
    /// <returns><see langword="false"/> only when <paramref name="packet"/> is too small.</returns>
    internal static bool TryAppendTrailer(Span<byte> packet, int messageLength, ReadOnlySpan<byte> trailer, ReadOnlySpan<byte> sourceAddress,
        ReadOnlySpan<byte> destinationAddress, out int bytesWritten)
    {
        if (trailer.Length != VrrpHmac.TrailerLength)
        {
            throw new ArgumentException($"An auth_hmac trailer has {VrrpHmac.TrailerLength} bytes.", nameof(trailer));
        }

        bytesWritten = 0;
        if (packet.Length < messageLength + VrrpHmac.TrailerLength)
        {
            return false;
        }

        trailer.CopyTo(packet[messageLength..]);
        bytesWritten = messageLength + VrrpHmac.TrailerLength;
        if (sourceAddress.Length == 16)
        {
            Span<byte> whole = packet[..bytesWritten];
            BinaryPrimitives.WriteUInt16BigEndian(whole[VrrpChecksum.FieldOffset..], VrrpChecksum.Compute(whole, sourceAddress, destinationAddress, VrrpChecksumMode.PseudoHeader));
        }

        return true;
    }

    /// <summary>Writes an advertisement with <see cref="IPAddress"/> source and destination.</summary>
    /// <inheritdoc cref="TryWrite(in VrrpAdvertisement, Span{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, VrrpChecksumMode, out int)"/>
    public static bool TryWrite(in VrrpAdvertisement advertisement, Span<byte> destination, IPAddress sourceAddress, IPAddress destinationAddress,
        VrrpChecksumMode mode, out int bytesWritten)
    {
        ArgumentNullException.ThrowIfNull(sourceAddress);
        ArgumentNullException.ThrowIfNull(destinationAddress);
        Span<byte> src = stackalloc byte[16];
        Span<byte> dst = stackalloc byte[16];
        sourceAddress.TryWriteBytes(src, out int srcLength);
        destinationAddress.TryWriteBytes(dst, out int dstLength);
        return TryWrite(advertisement, destination, src[..srcLength], dst[..dstLength], mode, out bytesWritten);
    }

    /// <summary>
    /// Checks the structure of a VRRP message (no checksum: that needs the IP addresses): length against the
    /// address count, version, type, virtual router identifier, interval and VRRPv2 authentication type.
    /// </summary>
    /// <param name="message">The message bytes, exactly the IP payload.</param>
    /// <param name="family">The IP family it arrived in.</param>
    /// <param name="result">The view of the message when the status is <see cref="VrrpParseStatus.Success"/>.</param>
    public static VrrpParseStatus TryParse(ReadOnlySpan<byte> message, AddressFamily family, out VrrpMessage result)
    {
        result = default;
        if (message.Length < HeaderLength)
        {
            return VrrpParseStatus.TooShort;
        }

        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return VrrpParseStatus.AddressFamilyMismatch;
        }

        int version = message[0] >> 4;
        if (version is not (2 or 3))
        {
            return VrrpParseStatus.BadVersion;
        }

        if ((message[0] & 0x0F) != AdvertisementType)
        {
            return VrrpParseStatus.BadType;
        }

        if (version == 2 && family != AddressFamily.InterNetwork)
        {
            return VrrpParseStatus.AddressFamilyMismatch;
        }

        if (message.Length != VrrpAdvertisement.GetMessageLength((VrrpVersion)version, family, message[3]))
        {
            return VrrpParseStatus.LengthMismatch;
        }

        if (message[1] == 0)
        {
            return VrrpParseStatus.InvalidVirtualRouterId;
        }

        int interval = version == 2 ? message[5] : BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & 0x0FFF;
        if (interval == 0)
        {
            return VrrpParseStatus.ZeroInterval;
        }

        if (version == 2 && message[4] > (byte)VrrpAuthType.IPAuthenticationHeader)
        {
            return VrrpParseStatus.InvalidAuthType;
        }

        result = new VrrpMessage(message, family);
        return VrrpParseStatus.Success;
    }

    /// <summary>
    /// Parses a VRRP message whose IP facts come from the caller (an IPv6 raw socket delivers no header), and
    /// verifies its checksum under every accepted variant.
    /// </summary>
    /// <param name="message">The message bytes.</param>
    /// <param name="sourceAddress">The IP source address bytes: 4 (IPv4) or 16 (IPv6).</param>
    /// <param name="destinationAddress">The IP destination address bytes, of the same family.</param>
    /// <param name="timeToLive">The TTL or hop limit the packet arrived with.</param>
    /// <param name="result">The packet when the status is <see cref="VrrpParseStatus.Success"/>.</param>
    public static VrrpParseStatus TryParse(ReadOnlySpan<byte> message, ReadOnlySpan<byte> sourceAddress, ReadOnlySpan<byte> destinationAddress, byte timeToLive,
        out VrrpPacket result)
    {
        result = default;
        AddressFamily family = (sourceAddress.Length, destinationAddress.Length) switch
        {
            (4, 4) => AddressFamily.InterNetwork,
            (16, 16) => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (family == AddressFamily.Unknown)
        {
            return VrrpParseStatus.AddressFamilyMismatch;
        }

        // A keepalived 2.4 auth_hmac trailer makes the message exactly 28 bytes longer than its address count says
        // (padding cannot reach that much); whether the instance expects one is the router's to decide.
        ReadOnlySpan<byte> body = message;
        ReadOnlySpan<byte> trailer = default;
        if (message.Length >= HeaderLength + VrrpHmac.TrailerLength && (message[0] >> 4) is 2 or 3
            && !((message[0] >> 4) == 2 && family == AddressFamily.InterNetworkV6)
            && message.Length == VrrpAdvertisement.GetMessageLength((VrrpVersion)(message[0] >> 4), family, message[3]) + VrrpHmac.TrailerLength)
        {
            body = message[..^VrrpHmac.TrailerLength];
            trailer = message[^VrrpHmac.TrailerLength..];
        }

        VrrpParseStatus status = TryParse(body, family, out VrrpMessage parsed);
        if (status != VrrpParseStatus.Success)
        {
            return status;
        }

        // Over IPv4 the checksum covers the message; over IPv6 the whole payload, a trailer included.
        ReadOnlySpan<byte> covered = family == AddressFamily.InterNetworkV6 ? message : body;
        if (!VrrpChecksum.TryVerify(covered, parsed.Version, sourceAddress, destinationAddress, out VrrpChecksumMode mode))
        {
            return VrrpParseStatus.BadChecksum;
        }

        result = new VrrpPacket(parsed, sourceAddress, destinationAddress, timeToLive, mode, trailer);
        return VrrpParseStatus.Success;
    }

    /// <summary>
    /// Parses a whole IPv4 packet as an IPv4 raw socket delivers it (header included; trailing link-layer padding
    /// beyond the IP total length is ignored): validates the IP header, then the VRRP message and its checksum.
    /// </summary>
    public static VrrpParseStatus TryParseIPv4Packet(ReadOnlySpan<byte> packet, out VrrpPacket result)
    {
        result = default;
        VrrpParseStatus status = TryParseIPv4Header(packet, out int headerLength, out int totalLength);
        if (status != VrrpParseStatus.Success)
        {
            return status;
        }

        return TryParse(packet[headerLength..totalLength], packet.Slice(12, 4), packet.Slice(16, 4), packet[8], out result);
    }

    /// <summary>
    /// Validates the IPv4 header of a VRRP packet: version, header length, header checksum, total length (bytes
    /// beyond it are link-layer padding), no fragmentation, protocol 112. On success the VRRP message is
    /// <c>packet[headerLength..totalLength]</c>, the source is bytes 12–15, the destination 16–19 and the TTL byte 8.
    /// </summary>
    public static VrrpParseStatus TryParseIPv4Header(ReadOnlySpan<byte> packet, out int headerLength, out int totalLength)
    {
        headerLength = 0;
        totalLength = 0;
        if (packet.Length < 20)
        {
            return VrrpParseStatus.TooShort;
        }

        if (packet[0] >> 4 != 4)
        {
            return VrrpParseStatus.BadIPVersion;
        }

        int ihl = (packet[0] & 0x0F) * 4;
        if (ihl < 20 || ihl > packet.Length)
        {
            return VrrpParseStatus.BadIPHeaderLength;
        }

        if (VrrpChecksum.InternetChecksum(packet[..ihl]) != 0)
        {
            return VrrpParseStatus.BadIPHeaderChecksum;
        }

        int total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (total < ihl || total > packet.Length)
        {
            return VrrpParseStatus.BadIPTotalLength;
        }

        // More-fragments flag or a non-zero fragment offset.
        if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
        {
            return VrrpParseStatus.Fragmented;
        }

        if (packet[9] != VrrpChecksum.IPProtocol)
        {
            return VrrpParseStatus.NotVrrpProtocol;
        }

        headerLength = ihl;
        totalLength = total;
        return VrrpParseStatus.Success;
    }

    /// <summary>
    /// Parses a whole IPv6 packet (40-byte header, then the VRRP message; extension headers are rejected), as a
    /// capture shows it. IPv6 raw sockets deliver no header: use
    /// <see cref="TryParse(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, byte, out VrrpPacket)"/> there.
    /// </summary>
    public static VrrpParseStatus TryParseIPv6Packet(ReadOnlySpan<byte> packet, out VrrpPacket result)
    {
        result = default;
        if (packet.Length < 40)
        {
            return VrrpParseStatus.TooShort;
        }

        if (packet[0] >> 4 != 6)
        {
            return VrrpParseStatus.BadIPVersion;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (40 + payloadLength > packet.Length)
        {
            return VrrpParseStatus.BadIPTotalLength;
        }

        byte nextHeader = packet[6];
        if (nextHeader != VrrpChecksum.IPProtocol)
        {
            // Hop-by-hop, routing, fragment, ESP, AH, destination options, mobility, HIP, shim6, experimental.
            return nextHeader is 0 or 43 or 44 or 50 or 51 or 60 or 135 or 139 or 140 or 253 or 254
                ? VrrpParseStatus.UnsupportedIPv6ExtensionHeader
                : VrrpParseStatus.NotVrrpProtocol;
        }

        return TryParse(packet.Slice(40, payloadLength), packet.Slice(8, 16), packet.Slice(24, 16), packet[7], out result);
    }

    /// <summary>
    /// Parses a whole IPv4 or IPv6 packet, choosing by the IP version nibble.
    /// </summary>
    public static VrrpParseStatus TryParseIPPacket(ReadOnlySpan<byte> packet, out VrrpPacket result)
    {
        result = default;
        if (packet.IsEmpty)
        {
            return VrrpParseStatus.TooShort;
        }

        return (packet[0] >> 4) switch
        {
            4 => TryParseIPv4Packet(packet, out result),
            6 => TryParseIPv6Packet(packet, out result),
            _ => VrrpParseStatus.BadIPVersion,
        };
    }

    /// <summary>
    /// Checks VRRPv2 authentication against the configured type and data (keepalived's order: type, then data;
    /// the password is compared in constant time). VRRPv3 messages always pass.
    /// </summary>
    /// <returns><see cref="VrrpParseStatus.Success"/>, <see cref="VrrpParseStatus.AuthTypeMismatch"/> or <see cref="VrrpParseStatus.AuthFailure"/>.</returns>
    public static VrrpParseStatus CheckAuthentication(in VrrpMessage message, VrrpAuthType expectedType, in VrrpAuthenticationData expectedData)
    {
        if (message.Version != VrrpVersion.V2)
        {
            return VrrpParseStatus.Success;
        }

        if (message.AuthType != expectedType)
        {
            return VrrpParseStatus.AuthTypeMismatch;
        }

        if (expectedType == VrrpAuthType.SimplePassword && !expectedData.FixedTimeEquals(message.AuthenticationBytes))
        {
            return VrrpParseStatus.AuthFailure;
        }

        return VrrpParseStatus.Success;
    }
}
