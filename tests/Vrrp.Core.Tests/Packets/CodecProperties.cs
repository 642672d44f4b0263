using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

/// <summary>An advertisement with the IP addresses and checksum variant it is sent with.</summary>
public sealed record AdvertCase(VrrpAdvertisement Advert, IPAddress Source, IPAddress Destination, VrrpChecksumMode Mode)
{
    public byte[] Encode()
    {
        byte[] buffer = new byte[Advert.MessageLength];
        Assert.True(VrrpCodec.TryWrite(Advert, buffer, Source, Destination, Mode, out int written));
        Assert.Equal(buffer.Length, written);
        return buffer;
    }

    public override string ToString() => $"{Advert} {Source}->{Destination} {Mode}";
}

/// <summary>Arbitrary bytes with arbitrary caller-supplied addresses, and the same bytes behind a valid IP header.</summary>
public sealed record HostileInput(byte[] Bytes, byte[] Source, byte[] Destination, byte Ttl)
{
    public override string ToString() => $"{Convert.ToHexString(Bytes)} src={Convert.ToHexString(Source)} dst={Convert.ToHexString(Destination)}";
}

public static class CodecArbitraries
{
    public static Arbitrary<AdvertCase> AdvertCases() => Arb.From(AdvertCaseGen());

    public static Arbitrary<HostileInput> HostileInputs() => Arb.From(
        from bytes in Gen.Frequency((3, Gen.ArrayOf(ByteGen())), (1, NearValidMessage()))
        from srcLength in Gen.Elements(0, 3, 4, 4, 4, 16, 16, 16, 17)
        from src in Gen.ArrayOf(ByteGen(), srcLength)
        from dstLength in Gen.Elements(srcLength, srcLength, 4, 16, 5)
        from dst in Gen.ArrayOf(ByteGen(), dstLength)
        from ttl in ByteGen()
        select new HostileInput(bytes, src, dst, ttl));

    internal static Gen<byte> ByteGen() => Gen.Choose(0, 255).Select(i => (byte)i);

    private static Gen<byte[]> NearValidMessage() =>
        from advert in AdvertCaseGen()
        from flips in Gen.ArrayOf(Gen.Choose(0, 1 << 20), 3)
        select Mutate(advert.Encode(), flips);

    private static byte[] Mutate(byte[] message, int[] flips)
    {
        foreach (int flip in flips)
        {
            int bit = flip % (message.Length * 8);
            message[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return message;
    }

    private static Gen<IPAddress> AddressGen(AddressFamily family) =>
        Gen.ArrayOf(ByteGen(), family == AddressFamily.InterNetworkV6 ? 16 : 4).Select(b => new IPAddress(b));

    private static Gen<int> AddressCountGen() =>
        Gen.Frequency((6, Gen.Choose(0, 4)), (3, Gen.Choose(5, 40)), (1, Gen.Choose(41, 255)));

    private static Gen<AdvertCase> AddressedCase(VrrpAdvertisement advert, Gen<VrrpChecksumMode> modes) =>
        from src in AddressGen(advert.AddressFamily)
        from dst in AddressGen(advert.AddressFamily)
        from mode in modes
        select new AdvertCase(advert, src, dst, mode);

    private static Gen<AdvertCase> AdvertCaseGen()
    {
        Gen<AdvertCase> v2 =
            from vrid in Gen.Choose(1, 255)
            from priority in Gen.Choose(0, 255)
            from interval in Gen.Choose(1, 255)
            from count in AddressCountGen()
            from addresses in Gen.ArrayOf(AddressGen(AddressFamily.InterNetwork), count)
            from password in Gen.Frequency((1, Gen.Constant<byte[]?>(null)), (1, Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(33, 126).Select(c => (byte)c), n)).Select(b => (byte[]?)b)))
            let advert = password is null
                ? VrrpAdvertisement.CreateV2((byte)vrid, (byte)priority, interval, addresses)
                : VrrpAdvertisement.CreateV2((byte)vrid, (byte)priority, interval, addresses, VrrpAuthType.SimplePassword,
                    VrrpAuthenticationData.FromPassword(System.Text.Encoding.ASCII.GetString(password)))
            from c in AddressedCase(advert, Gen.Constant(VrrpChecksumMode.MessageOnly))
            select c;

        Gen<AdvertCase> v3 =
            from family in Gen.Elements(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6)
            from vrid in Gen.Choose(1, 255)
            from priority in Gen.Choose(0, 255)
            from centiseconds in Gen.Choose(1, 4095)
            from count in AddressCountGen()
            from addresses in Gen.ArrayOf(AddressGen(family), count)
            let advert = VrrpAdvertisement.CreateV3((byte)vrid, (byte)priority, TimeSpan.FromMilliseconds(centiseconds * 10), family, addresses)
            from c in AddressedCase(advert, family == AddressFamily.InterNetworkV6
                ? Gen.Constant(VrrpChecksumMode.PseudoHeader)
                : Gen.Elements(Enum.GetValues<VrrpChecksumMode>()))
            select c;

        return Gen.OneOf(v2, v3);
    }
}

[Properties(Arbitrary = [typeof(CodecArbitraries)], MaxTest = 300)]
public class CodecProperties
{
    private static (byte[] Source, byte[] Destination) AddressBytes(AdvertCase c) => (c.Source.GetAddressBytes(), c.Destination.GetAddressBytes());

    [Property]
    public void Encode_then_decode_round_trips(AdvertCase c)
    {
        byte[] message = c.Encode();
        (byte[] src, byte[] dst) = AddressBytes(c);

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(message, src, dst, 255, out VrrpPacket packet));
        Assert.Equal(c.Advert, packet.Message.ToAdvertisement());
        Assert.True(VrrpChecksum.IsValid(message, src, dst, c.Advert.Version == VrrpVersion.V2 ? VrrpChecksumMode.MessageOnly : c.Mode));
    }

    [Property]
    public void Encode_then_decode_as_a_whole_IP_packet_round_trips(AdvertCase c)
    {
        byte[] message = c.Encode();
        byte[] packet = IPPackets.Wrap(message, c.Source, c.Destination, 255);

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPPacket(packet, out VrrpPacket parsed));
        Assert.Equal(c.Advert, parsed.Message.ToAdvertisement());
        Assert.Equal(c.Source, parsed.GetSource());
        Assert.Equal(c.Destination, parsed.GetDestination());
    }

    [Property]
    public void No_single_bit_flip_validates_under_the_senders_checksum_variant(AdvertCase c)
    {
        byte[] message = c.Encode();
        (byte[] src, byte[] dst) = AddressBytes(c);
        VrrpChecksumMode sent = c.Advert.Version == VrrpVersion.V2 ? VrrpChecksumMode.MessageOnly : c.Mode;
        for (int bit = 0; bit < message.Length * 8; bit++)
        {
            message[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(VrrpChecksum.IsValid(message, src, dst, sent), $"bit {bit} flipped still validates");
            message[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Property]
    public void A_flipped_bit_is_never_accepted_as_the_same_advert(AdvertCase c)
    {
        byte[] message = c.Encode();
        (byte[] src, byte[] dst) = AddressBytes(c);
        VrrpChecksumMode sent = c.Advert.Version == VrrpVersion.V2 ? VrrpChecksumMode.MessageOnly : c.Mode;
        for (int bit = 0; bit < message.Length * 8; bit++)
        {
            message[bit / 8] ^= (byte)(1 << (bit % 8));
            if (VrrpCodec.TryParse(message, src, dst, 255, out VrrpPacket packet) == VrrpParseStatus.Success)
            {
                // Only VRRPv3 over IPv4 accepts several checksum variants; a flip in the checksum field can then land on
                // another variant's value. Anything else accepted must be a different advertisement.
                bool otherVariant = packet.ChecksumMode != sent;
                Assert.True(otherVariant || packet.Message.ToAdvertisement() != c.Advert, $"bit {bit} flipped was accepted as the same advert");
            }

            message[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Property(MaxTest = 2000)]
    public void Arbitrary_bytes_never_throw(HostileInput input)
    {
        Exercise(VrrpCodec.TryParse(input.Bytes, input.Source, input.Destination, input.Ttl, out VrrpPacket packet), packet);
        Exercise(VrrpCodec.TryParseIPPacket(input.Bytes, out packet), packet);
        Exercise(VrrpCodec.TryParseIPv4Packet(input.Bytes, out packet), packet);
        Exercise(VrrpCodec.TryParseIPv6Packet(input.Bytes, out packet), packet);
        _ = VrrpCodec.TryParse(input.Bytes, AddressFamily.InterNetwork, out _);
        _ = VrrpCodec.TryParse(input.Bytes, AddressFamily.InterNetworkV6, out _);
        _ = VrrpCodec.TryParse(input.Bytes, AddressFamily.Unix, out _);
        _ = VrrpChecksum.TryVerify(input.Bytes, VrrpVersion.V3, input.Source, input.Destination, out _);
        foreach (VrrpChecksumMode mode in Enum.GetValues<VrrpChecksumMode>())
        {
            _ = VrrpChecksum.IsValid(input.Bytes, input.Source, input.Destination, mode);
        }

        if (input.Source.Length is 4 or 16 && input.Destination.Length == input.Source.Length)
        {
            // The same bytes behind a correct IP header reach the VRRP checks.
            byte[] wrapped = IPPackets.Wrap(input.Bytes, new IPAddress(input.Source), new IPAddress(input.Destination), input.Ttl);
            Exercise(VrrpCodec.TryParseIPPacket(wrapped, out packet), packet);
        }
    }

    private static void Exercise(VrrpParseStatus status, VrrpPacket packet)
    {
        Assert.True(Enum.IsDefined(status));
        if (status == VrrpParseStatus.Success)
        {
            VrrpAdvertisement advert = packet.Message.ToAdvertisement();
            Assert.Equal(packet.Message.Bytes.Length, advert.MessageLength);
            _ = VrrpCodec.CheckAuthentication(packet.Message, VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("pw"));
        }
    }
}

/// <summary>Builds IP packets around a VRRP message, as the kernel would send them.</summary>
public static class IPPackets
{
    public static byte[] Wrap(byte[] message, IPAddress source, IPAddress destination, byte ttl)
    {
        if (source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            byte[] v6 = new byte[40 + message.Length];
            v6[0] = 0x6C;
            BinaryPrimitives.WriteUInt16BigEndian(v6.AsSpan(4), (ushort)message.Length);
            v6[6] = 112;
            v6[7] = ttl;
            source.TryWriteBytes(v6.AsSpan(8), out _);
            destination.TryWriteBytes(v6.AsSpan(24), out _);
            message.CopyTo(v6, 40);
            return v6;
        }

        byte[] v4 = new byte[20 + message.Length];
        v4[0] = 0x45;
        v4[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(v4.AsSpan(2), (ushort)v4.Length);
        v4[8] = ttl;
        v4[9] = 112;
        source.TryWriteBytes(v4.AsSpan(12), out _);
        destination.TryWriteBytes(v4.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(v4.AsSpan(10), VrrpChecksum.InternetChecksum(v4.AsSpan(0, 20)));
        message.CopyTo(v4, 20);
        return v4;
    }
}
