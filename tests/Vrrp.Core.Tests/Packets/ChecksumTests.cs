using System.Net;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

public class ChecksumTests
{
    [Fact]
    public void Matches_the_RFC_1071_worked_example()
    {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, so the checksum is ~0xddf2 = 0x220d.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0x220d, VrrpChecksum.InternetChecksum(data));
    }

    [Fact]
    public void Odd_length_data_is_padded_with_a_zero_byte()
    {
        Assert.Equal(VrrpChecksum.InternetChecksum([0x12, 0x34, 0x56, 0x00]), VrrpChecksum.InternetChecksum([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Compute_ignores_the_checksum_field_as_given()
    {
        GoldenPacket golden = GoldenVectors.All.First(p => p.Scenario == "s3");
        byte[] garbage = golden.Message.ToArray();
        garbage[6] = 0xAB;
        garbage[7] = 0xCD;

        ushort computed = VrrpChecksum.Compute(garbage, IPAddress.Parse(golden.Source), IPAddress.Parse(golden.Destination), VrrpChecksumMode.PseudoHeader);

        Assert.Equal(golden.Checksum, computed);
    }

    [Fact]
    public void Each_IPv4_VRRPv3_variant_is_found_by_TryVerify()
    {
        GoldenPacket golden = GoldenVectors.All.First(p => p.Scenario == "s3");
        byte[] src = IPAddress.Parse(golden.Source).GetAddressBytes();
        byte[] dst = IPAddress.Parse(golden.Destination).GetAddressBytes();
        foreach (VrrpChecksumMode mode in Enum.GetValues<VrrpChecksumMode>())
        {
            byte[] message = golden.Message.ToArray();
            ushort checksum = VrrpChecksum.Compute(message, src, dst, mode);
            message[6] = (byte)(checksum >> 8);
            message[7] = (byte)checksum;

            Assert.True(VrrpChecksum.TryVerify(message, VrrpVersion.V3, src, dst, out VrrpChecksumMode found));
            Assert.Equal(mode, found);
            Assert.True(VrrpChecksum.IsValid(message, src, dst, mode));
        }
    }

    [Fact]
    public void IPv6_accepts_only_the_pseudo_header()
    {
        GoldenPacket golden = GoldenVectors.All.First(p => p.IPVersion == 6);
        byte[] src = IPAddress.Parse(golden.Source).GetAddressBytes();
        byte[] dst = IPAddress.Parse(golden.Destination).GetAddressBytes();
        byte[] message = golden.Message.ToArray();
        ushort messageOnly = VrrpChecksum.Compute(message, src, dst, VrrpChecksumMode.MessageOnly);
        message[6] = (byte)(messageOnly >> 8);
        message[7] = (byte)messageOnly;

        Assert.False(VrrpChecksum.TryVerify(message, VrrpVersion.V3, src, dst, out _));
        Assert.Throws<ArgumentException>(() => VrrpChecksum.Compute(message, src, dst, VrrpChecksumMode.PseudoHeaderVrrpMulticast));
        Assert.False(VrrpChecksum.IsValid(message, src, dst, VrrpChecksumMode.PseudoHeaderVrrpMulticast));
    }

    [Fact]
    public void Names_follow_the_capture_vocabulary()
    {
        Assert.Equal("v2-message-only", VrrpChecksum.GetVariantName(VrrpVersion.V2, System.Net.Sockets.AddressFamily.InterNetwork, VrrpChecksumMode.MessageOnly));
        Assert.Equal("v3-pseudo-header-224.0.0.18", VrrpChecksum.GetVariantName(VrrpVersion.V3, System.Net.Sockets.AddressFamily.InterNetwork, VrrpChecksumMode.PseudoHeaderVrrpMulticast));
        Assert.Equal("v3-ipv6-pseudo-header", VrrpChecksum.GetVariantName(VrrpVersion.V3, System.Net.Sockets.AddressFamily.InterNetworkV6, VrrpChecksumMode.PseudoHeader));
    }
}
