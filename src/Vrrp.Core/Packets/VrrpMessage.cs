using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Vrrp.Packets;

/// <summary>
/// A zero-copy view of a structurally valid VRRP message, produced by <see cref="VrrpCodec.TryParse(ReadOnlySpan{byte}, AddressFamily, out VrrpMessage)"/>.
/// Reading its fields allocates nothing; <see cref="ToAdvertisement"/> and <see cref="GetAddress"/> allocate.
/// </summary>
public readonly ref struct VrrpMessage
{
    internal VrrpMessage(ReadOnlySpan<byte> bytes, AddressFamily family)
    {
        Bytes = bytes;
        AddressFamily = family;
    }

    /// <summary>The whole message, exactly as long as its address count says.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>The IP family the message arrived in.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>The protocol version.</summary>
    public VrrpVersion Version => (VrrpVersion)(Bytes[0] >> 4);

    /// <summary>The virtual router identifier.</summary>
    public byte VirtualRouterId => Bytes[1];

    /// <summary>The sender's priority.</summary>
    public byte Priority => Bytes[2];

    /// <summary>The number of addresses carried.</summary>
    public int AddressCount => Bytes[3];

    /// <summary>VRRPv2 authentication type; <see cref="VrrpAuthType.None"/> for VRRPv3.</summary>
    public VrrpAuthType AuthType => Version == VrrpVersion.V2 ? (VrrpAuthType)Bytes[4] : VrrpAuthType.None;

    /// <summary>The interval in centiseconds (VRRPv2 seconds × 100).</summary>
    public int IntervalCentiseconds => Version == VrrpVersion.V2 ? Bytes[5] * 100 : BinaryPrimitives.ReadUInt16BigEndian(Bytes[4..]) & 0x0FFF;

    /// <summary>The advertisement interval.</summary>
    public TimeSpan Interval => TimeSpan.FromMilliseconds(IntervalCentiseconds * 10L);

    /// <summary>The VRRPv3 reserved bits (senders set 0, receivers ignore them); 0 for VRRPv2.</summary>
    public int ReservedBits => Version == VrrpVersion.V3 ? Bytes[4] >> 4 : 0;

    /// <summary>The checksum field as sent.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(Bytes[VrrpChecksum.FieldOffset..]);

    /// <summary>The size of one address: 4 (IPv4) or 16 (IPv6).</summary>
    public int AddressSize => AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;

    /// <summary>The address bytes, <see cref="AddressCount"/> × <see cref="AddressSize"/>.</summary>
    public ReadOnlySpan<byte> AddressBytes => Bytes.Slice(8, AddressCount * AddressSize);

    /// <summary>VRRPv2: the 8 authentication bytes; VRRPv3: empty.</summary>
    public ReadOnlySpan<byte> AuthenticationBytes => Version == VrrpVersion.V2 ? Bytes[^VrrpAuthenticationData.Length..] : [];

    /// <summary>Address number <paramref name="index"/> (allocates an <see cref="IPAddress"/>).</summary>
    public IPAddress GetAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, AddressCount);
        return new IPAddress(AddressBytes.Slice(index * AddressSize, AddressSize));
    }

    /// <summary>Copies the message into an <see cref="VrrpAdvertisement"/> value (allocates).</summary>
    public VrrpAdvertisement ToAdvertisement()
    {
        var addresses = ImmutableArray.CreateBuilder<IPAddress>(AddressCount);
        for (int i = 0; i < AddressCount; i++)
        {
            addresses.Add(GetAddress(i));
        }

        VrrpAuthenticationData auth = Version == VrrpVersion.V2 ? VrrpAuthenticationData.FromBytes(AuthenticationBytes) : default;
        return VrrpAdvertisement.FromWire(Version, VirtualRouterId, Priority, IntervalCentiseconds, AddressFamily, addresses.MoveToImmutable(), AuthType, auth);
    }
}

/// <summary>
/// A VRRP message with the IP facts a receiver needs: source, destination, TTL or hop limit, and the checksum
/// variant it validated under. Produced by <see cref="VrrpCodec.TryParseIPv4Packet"/>, <see cref="VrrpCodec.TryParseIPv6Packet"/>
/// and <see cref="VrrpCodec.TryParse(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, byte, out VrrpPacket)"/>.
/// </summary>
public readonly ref struct VrrpPacket
{
    internal VrrpPacket(VrrpMessage message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte timeToLive, VrrpChecksumMode checksumMode,
        ReadOnlySpan<byte> trailer = default)
    {
        Message = message;
        Trailer = trailer;
        SourceAddress = source;
        DestinationAddress = destination;
        TimeToLive = timeToLive;
        ChecksumMode = checksumMode;
    }

    /// <summary>The VRRP message.</summary>
    public VrrpMessage Message { get; }

    /// <summary>The IP source address bytes (4 or 16).</summary>
    public ReadOnlySpan<byte> SourceAddress { get; }

    /// <summary>The IP destination address bytes (4 or 16).</summary>
    public ReadOnlySpan<byte> DestinationAddress { get; }

    /// <summary>The IPv4 TTL or IPv6 hop limit the packet arrived with.</summary>
    public byte TimeToLive { get; }

    /// <summary>The checksum variant the message validated under.</summary>
    public VrrpChecksumMode ChecksumMode { get; }

    /// <summary>The keepalived 2.4 <c>auth_hmac</c> trailer after the message (<see cref="VrrpHmac"/>), or empty.</summary>
    internal ReadOnlySpan<byte> Trailer { get; }

    /// <summary>Whether the packet carries an <c>auth_hmac</c> trailer.</summary>
    internal bool HasTrailer => !Trailer.IsEmpty;

    /// <summary>The source as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress GetSource() => new(SourceAddress);

    /// <summary>The destination as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress GetDestination() => new(DestinationAddress);
}
