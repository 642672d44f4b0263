using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

/// <summary>Every way a packet can be wrong yields the status that names it, never an exception.</summary>
public class MalformedPacketTests
{
    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Every_truncated_message_is_rejected_with_the_right_status(string name)
    {
        GoldenPacket golden = GoldenVectors.Get(name);
        AddressFamily family = golden.IPVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        for (int length = 0; length < golden.Message.Length; length++)
        {
            VrrpParseStatus status = VrrpCodec.TryParse(golden.Message.AsSpan(0, length), family, out _);
            Assert.Equal(length < VrrpCodec.HeaderLength ? VrrpParseStatus.TooShort : VrrpParseStatus.LengthMismatch, status);
        }
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Every_truncated_IP_packet_is_rejected_with_the_right_status(string name)
    {
        GoldenPacket golden = GoldenVectors.Get(name);
        int headerLength = golden.IPVersion == 6 ? 40 : 20;
        for (int length = 0; length < golden.IPPacket.Length; length++)
        {
            VrrpParseStatus status = VrrpCodec.TryParseIPPacket(golden.IPPacket.AsSpan(0, length), out _);
            Assert.Equal(length < headerLength ? VrrpParseStatus.TooShort : VrrpParseStatus.BadIPTotalLength, status);
        }
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Link_layer_padding_after_the_IP_packet_is_ignored(string name)
    {
        GoldenPacket golden = GoldenVectors.Get(name);
        byte[] padded = [.. golden.IPPacket, .. new byte[18]];

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPPacket(padded, out VrrpPacket packet));
        Assert.Equal(golden.Message.Length, packet.Message.Bytes.Length);
    }

    [Fact]
    public void A_message_longer_than_its_count_says_is_a_length_mismatch()
    {
        GoldenPacket golden = V3IPv4();
        byte[] longer = [.. golden.Message, 0, 0, 0, 0];
        Assert.Equal(VrrpParseStatus.LengthMismatch, VrrpCodec.TryParse(longer, AddressFamily.InterNetwork, out _));
    }

    public static TheoryData<string, int, byte, VrrpParseStatus> MessageMutations() => new()
    {
        { "version 1", 0, 0x11, VrrpParseStatus.BadVersion },
        { "version 4", 0, 0x41, VrrpParseStatus.BadVersion },
        { "version 0", 0, 0x01, VrrpParseStatus.BadVersion },
        { "type 2", 0, 0x32, VrrpParseStatus.BadType },
        { "type 0", 0, 0x30, VrrpParseStatus.BadType },
        { "vrid 0", 1, 0x00, VrrpParseStatus.InvalidVirtualRouterId },
        { "count too high", 3, 0x02, VrrpParseStatus.LengthMismatch },
        { "count too low", 3, 0x00, VrrpParseStatus.LengthMismatch },
    };

    [Theory]
    [MemberData(nameof(MessageMutations))]
    public void A_mutated_VRRPv3_header_is_rejected_with_its_reason(string what, int offset, byte value, VrrpParseStatus expected)
    {
        _ = what;
        GoldenPacket golden = V3IPv4();
        byte[] message = (byte[])golden.Message.Clone();
        message[offset] = value;
        byte[] src = IPAddress.Parse(golden.Source).GetAddressBytes();
        byte[] dst = IPAddress.Parse(golden.Destination).GetAddressBytes();

        Assert.Equal(expected, VrrpCodec.TryParse(message, src, dst, 255, out _));
    }

    [Fact]
    public void A_zero_VRRPv3_interval_is_rejected()
    {
        byte[] message = V3IPv4().Message.ToArray();
        message[4] = 0x00;
        message[5] = 0x00;
        Assert.Equal(VrrpParseStatus.ZeroInterval, VrrpCodec.TryParse(message, AddressFamily.InterNetwork, out _));
    }

    [Fact]
    public void A_zero_VRRPv2_interval_is_rejected()
    {
        byte[] message = V2().Message.ToArray();
        message[5] = 0;
        Assert.Equal(VrrpParseStatus.ZeroInterval, VrrpCodec.TryParse(message, AddressFamily.InterNetwork, out _));
    }

    [Fact]
    public void An_unknown_VRRPv2_auth_type_is_rejected()
    {
        byte[] message = V2().Message.ToArray();
        message[4] = 3;
        Assert.Equal(VrrpParseStatus.InvalidAuthType, VrrpCodec.TryParse(message, AddressFamily.InterNetwork, out _));
    }

    [Fact]
    public void VRRPv2_over_IPv6_is_an_address_family_mismatch()
    {
        Assert.Equal(VrrpParseStatus.AddressFamilyMismatch, VrrpCodec.TryParse(V2().Message, AddressFamily.InterNetworkV6, out _));
        byte[] v6 = IPAddress.Parse("2001:db8::1").GetAddressBytes();
        Assert.Equal(VrrpParseStatus.AddressFamilyMismatch, VrrpCodec.TryParse(V2().Message, v6, v6, 255, out _));
    }

    [Fact]
    public void Mixed_or_odd_sized_caller_addresses_are_an_address_family_mismatch()
    {
        byte[] v4 = [192, 0, 2, 1];
        byte[] v6 = IPAddress.Parse("2001:db8::1").GetAddressBytes();
        Assert.Equal(VrrpParseStatus.AddressFamilyMismatch, VrrpCodec.TryParse(V3IPv4().Message, v4, v6, 255, out _));
        Assert.Equal(VrrpParseStatus.AddressFamilyMismatch, VrrpCodec.TryParse(V3IPv4().Message, [1, 2, 3], [1, 2, 3], 255, out _));
    }

    [Fact]
    public void A_VRRPv3_checksum_for_other_addresses_is_a_bad_checksum()
    {
        GoldenPacket golden = V3IPv4();
        byte[] otherSource = [192, 0, 2, 9];
        byte[] dst = IPAddress.Parse(golden.Destination).GetAddressBytes();
        Assert.Equal(VrrpParseStatus.BadChecksum, VrrpCodec.TryParse(golden.Message, otherSource, dst, 255, out _));
    }

    [Fact]
    public void A_corrupted_IPv4_header_checksum_is_rejected()
    {
        byte[] packet = V2().IPPacket.ToArray();
        packet[10] ^= 0x01;
        Assert.Equal(VrrpParseStatus.BadIPHeaderChecksum, VrrpCodec.TryParseIPv4Packet(packet, out _));
    }

    [Fact]
    public void IPv4_header_faults_are_named()
    {
        Assert.Equal(VrrpParseStatus.BadIPVersion, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[0] = 0x65), out _));
        Assert.Equal(VrrpParseStatus.BadIPHeaderLength, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[0] = 0x44), out _));
        Assert.Equal(VrrpParseStatus.BadIPHeaderLength, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[0] = 0x4F), out _));
        Assert.Equal(VrrpParseStatus.BadIPTotalLength, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 19)), out _));
        Assert.Equal(VrrpParseStatus.Fragmented, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[6] = 0x20), out _));
        Assert.Equal(VrrpParseStatus.Fragmented, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[7] = 0x01), out _));
        Assert.Equal(VrrpParseStatus.NotVrrpProtocol, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[9] = 17), out _));
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPv4Packet(WithIPv4Header(p => p[6] = 0x40), out _)); // DF is fine
    }

    [Fact]
    public void IPv6_header_faults_are_named()
    {
        byte[] packet = GoldenVectors.All.First(p => p.IPVersion == 6).IPPacket;
        byte[] hopByHop = packet.ToArray();
        hopByHop[6] = 0;
        byte[] udp = packet.ToArray();
        udp[6] = 17;
        byte[] v4Nibble = packet.ToArray();
        v4Nibble[0] = 0x46;

        Assert.Equal(VrrpParseStatus.UnsupportedIPv6ExtensionHeader, VrrpCodec.TryParseIPv6Packet(hopByHop, out _));
        Assert.Equal(VrrpParseStatus.NotVrrpProtocol, VrrpCodec.TryParseIPv6Packet(udp, out _));
        Assert.Equal(VrrpParseStatus.BadIPVersion, VrrpCodec.TryParseIPv6Packet(v4Nibble, out _));
        Assert.Equal(VrrpParseStatus.BadIPVersion, VrrpCodec.TryParseIPPacket(new byte[40], out _));
        Assert.Equal(VrrpParseStatus.TooShort, VrrpCodec.TryParseIPPacket([], out _));
    }

    [Fact]
    public void A_sender_TTL_below_255_is_reported_not_judged()
    {
        // The codec hands the TTL back; whether it is acceptable is the router's per-peer window (routed unicast).
        byte[] packet = WithIPv4Header(p => p[8] = 61);
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPv4Packet(packet, out VrrpPacket parsed));
        Assert.Equal(61, parsed.TimeToLive);
    }

    private static GoldenPacket V2() => GoldenVectors.All.First(p => p.Scenario == "s1");

    private static GoldenPacket V3IPv4() => GoldenVectors.All.First(p => p.Scenario == "s3");

    private static byte[] WithIPv4Header(Action<byte[]> mutate)
    {
        byte[] packet = V2().IPPacket.ToArray();
        mutate(packet);
        int headerLength = Math.Clamp((packet[0] & 0x0F) * 4, 20, 60);
        if (headerLength <= packet.Length)
        {
            packet[10] = 0;
            packet[11] = 0;
            ushort checksum = Checksum(packet.AsSpan(0, headerLength));
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), checksum);
        }

        return packet;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
