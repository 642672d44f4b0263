using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Vrrp.Packets;

/// <summary>
/// The RFC 1071 Internet checksum of a VRRP message, as an explicit function of the message, the IP source and
/// destination addresses and the <see cref="VrrpChecksumMode"/>.
/// </summary>
public static class VrrpChecksum
{
    /// <summary>IP protocol number of VRRP.</summary>
    public const byte IPProtocol = 112;

    /// <summary>Offset of the 16-bit checksum field inside a VRRP message.</summary>
    public const int FieldOffset = 6;

    private static ReadOnlySpan<byte> VrrpMulticastIPv4 => [224, 0, 0, 18];

    /// <summary>
    /// Computes the checksum of <paramref name="message"/> as if its checksum field were zero.
    /// </summary>
    /// <param name="message">The whole VRRP message; its checksum field is ignored.</param>
    /// <param name="source">The IP source address bytes (4 or 16); unused for <see cref="VrrpChecksumMode.MessageOnly"/>.</param>
    /// <param name="destination">The IP destination address bytes (4 or 16); unused for <see cref="VrrpChecksumMode.MessageOnly"/>
    /// and <see cref="VrrpChecksumMode.PseudoHeaderVrrpMulticast"/>.</param>
    /// <param name="mode">What the checksum covers.</param>
    /// <returns>The value to store in the checksum field.</returns>
    /// <exception cref="ArgumentException">The message is shorter than 8 bytes, or the addresses do not fit the mode.</exception>
    public static ushort Compute(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, VrrpChecksumMode mode)
    {
        if (message.Length < 8)
        {
            throw new ArgumentException("A VRRP message has at least 8 bytes.", nameof(message));
        }

        if (!TryPseudoHeaderSum(message.Length, source, destination, mode, out ulong sum))
        {
            throw new ArgumentException($"Checksum mode {mode} needs IPv4 (4-byte) or IPv6 (16-byte) source and destination addresses of one family; {nameof(VrrpChecksumMode.PseudoHeaderVrrpMulticast)} is IPv4 only.", nameof(mode));
        }

        // Sum the message with its checksum field skipped: bytes [0,6) and [8,len).
        sum = Add(sum, message[..FieldOffset]);
        sum = Add(sum, message[(FieldOffset + 2)..]);
        return (ushort)~Fold(sum);
    }

    /// <summary>Computes the checksum with <see cref="IPAddress"/> source and destination.</summary>
    /// <inheritdoc cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, VrrpChecksumMode)"/>
    public static ushort Compute(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, VrrpChecksumMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> src = stackalloc byte[16];
        Span<byte> dst = stackalloc byte[16];
        source.TryWriteBytes(src, out int srcLength);
        destination.TryWriteBytes(dst, out int dstLength);
        return Compute(message, src[..srcLength], dst[..dstLength], mode);
    }

    /// <summary>
    /// Whether the checksum stored in <paramref name="message"/> is valid under exactly <paramref name="mode"/>.
    /// Never throws: addresses that do not fit the mode make the answer <see langword="false"/>.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, VrrpChecksumMode mode)
    {
        if (message.Length < 8 || !TryPseudoHeaderSum(message.Length, source, destination, mode, out ulong sum))
        {
            return false;
        }

        return Fold(Add(sum, message)) == 0xFFFF;
    }

    /// <summary>
    /// Finds the checksum variant under which <paramref name="message"/> validates, trying every variant accepted
    /// for its version and family: VRRPv2 message-only; VRRPv3 IPv6 pseudo-header; VRRPv3 IPv4 real-destination
    /// pseudo-header, then 224.0.0.18 pseudo-header, then message-only.
    /// </summary>
    /// <returns><see langword="true"/> and the variant, or <see langword="false"/> if none validates.</returns>
    public static bool TryVerify(ReadOnlySpan<byte> message, VrrpVersion version, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, out VrrpChecksumMode mode)
    {
        mode = VrrpChecksumMode.MessageOnly;
        if (message.Length < 8)
        {
            return false;
        }

        ulong messageSum = Add(0, message);
        if (version == VrrpVersion.V2)
        {
            return Fold(messageSum) == 0xFFFF;
        }

        ReadOnlySpan<VrrpChecksumMode> candidates = source.Length == 16
            ? [VrrpChecksumMode.PseudoHeader]
            : [VrrpChecksumMode.PseudoHeader, VrrpChecksumMode.PseudoHeaderVrrpMulticast, VrrpChecksumMode.MessageOnly];
        foreach (VrrpChecksumMode candidate in candidates)
        {
            if (TryPseudoHeaderSum(message.Length, source, destination, candidate, out ulong pseudo) && Fold(pseudo + messageSum) == 0xFFFF)
            {
                mode = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>The name of a checksum variant as keepalived captures and the golden vectors name it, e.g. <c>v3-pseudo-header-real-dst</c>.</summary>
    public static string GetVariantName(VrrpVersion version, AddressFamily family, VrrpChecksumMode mode) => (version, family, mode) switch
    {
        (VrrpVersion.V2, _, VrrpChecksumMode.MessageOnly) => "v2-message-only",
        (VrrpVersion.V3, _, VrrpChecksumMode.MessageOnly) => "v3-message-only",
        (VrrpVersion.V3, AddressFamily.InterNetworkV6, VrrpChecksumMode.PseudoHeader) => "v3-ipv6-pseudo-header",
        (VrrpVersion.V3, AddressFamily.InterNetwork, VrrpChecksumMode.PseudoHeader) => "v3-pseudo-header-real-dst",
        (VrrpVersion.V3, AddressFamily.InterNetwork, VrrpChecksumMode.PseudoHeaderVrrpMulticast) => "v3-pseudo-header-224.0.0.18",
        _ => $"v{(int)version}-{mode}",
    };

    /// <summary>The RFC 1071 checksum of arbitrary bytes (used for the IPv4 header).</summary>
    internal static ushort InternetChecksum(ReadOnlySpan<byte> data) => (ushort)~Fold(Add(0, data));

    private static bool TryPseudoHeaderSum(int messageLength, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, VrrpChecksumMode mode, out ulong sum)
    {
        switch (mode)
        {
            case VrrpChecksumMode.MessageOnly:
                sum = 0;
                return true;
            case VrrpChecksumMode.PseudoHeader when source.Length == 4 && destination.Length == 4:
            case VrrpChecksumMode.PseudoHeaderVrrpMulticast when source.Length == 4:
                // IPv4 pseudo-header: source, destination, zero, protocol, 16-bit length.
                sum = Add(0, source);
                sum = Add(sum, mode == VrrpChecksumMode.PseudoHeader ? destination : VrrpMulticastIPv4);
                sum += IPProtocol + (ulong)messageLength;
                return true;
            case VrrpChecksumMode.PseudoHeader when source.Length == 16 && destination.Length == 16:
                // IPv6 pseudo-header: source, destination, 32-bit length, three zero bytes, next header.
                sum = Add(0, source);
                sum = Add(sum, destination);
                sum += IPProtocol + (ulong)(messageLength & 0xFFFF) + (ulong)(messageLength >> 16);
                return true;
            default:
                sum = 0;
                return false;
        }
    }

    // Compiled on its own, never inlined: inlined into the parse path (one copy per caller) it spent the JIT's inlining
    // budget for the whole method, so the loop's span reads were left as calls and an IPv4 parse took 4-5 times as long.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        // One's complement addition is associative and 2^16 = 1 (mod 0xFFFF), so 32-bit big-endian words can be
        // accumulated into a 64-bit sum and folded once at the end. Every caller passes data starting at an even
        // offset of the summed stream, and only the stream's last piece may have odd length.
        while (data.Length >= 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[4..];
        }

        if (data.Length >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
        }

        if (data.Length == 1)
        {
            sum += (uint)data[0] << 8;
        }

        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }
}
