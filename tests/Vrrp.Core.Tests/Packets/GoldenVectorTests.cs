using System.Net;
using System.Net.Sockets;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

/// <summary>Every packet captured from keepalived 2.2.7 decodes, verifies and re-encodes byte-identically.</summary>
public class GoldenVectorTests
{
    [Fact]
    public void All_scenarios_are_present()
    {
        Assert.Equal(["s1", "s2", "s3", "s4", "s5", "s6", "s7"], GoldenVectors.All.Select(p => p.Scenario).Distinct());
        Assert.Equal(28, GoldenVectors.All.Count);
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Whole_IP_packet_decodes_to_the_captured_fields(string name)
    {
        GoldenPacket expected = GoldenVectors.Get(name);

        VrrpParseStatus status = VrrpCodec.TryParseIPPacket(expected.IPPacket, out VrrpPacket packet);

        Assert.Equal(VrrpParseStatus.Success, status);
        AssertFields(expected, packet);
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Message_alone_with_caller_addresses_decodes_the_same(string name)
    {
        GoldenPacket expected = GoldenVectors.Get(name);
        byte[] src = IPAddress.Parse(expected.Source).GetAddressBytes();
        byte[] dst = IPAddress.Parse(expected.Destination).GetAddressBytes();

        VrrpParseStatus status = VrrpCodec.TryParse(expected.Message, src, dst, (byte)expected.TimeToLive, out VrrpPacket packet);

        Assert.Equal(VrrpParseStatus.Success, status);
        AssertFields(expected, packet);
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Every_checksum_candidate_verdict_matches_the_capture(string name)
    {
        GoldenPacket expected = GoldenVectors.Get(name);
        byte[] src = IPAddress.Parse(expected.Source).GetAddressBytes();
        byte[] dst = IPAddress.Parse(expected.Destination).GetAddressBytes();
        var version = (VrrpVersion)expected.Version;
        AddressFamily family = expected.IPVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

        foreach ((string candidate, bool valid) in expected.ChecksumCandidates)
        {
            VrrpChecksumMode mode = Enum.GetValues<VrrpChecksumMode>()
                .Single(m => VrrpChecksum.GetVariantName(version == VrrpVersion.V2 && m != VrrpChecksumMode.MessageOnly ? VrrpVersion.V3 : version, family, m) == candidate);
            Assert.True(valid == VrrpChecksum.IsValid(expected.Message, src, dst, mode), $"{candidate} should be {(valid ? "valid" : "invalid")}");
        }
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Re_encodes_byte_identically(string name)
    {
        GoldenPacket expected = GoldenVectors.Get(name);
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPPacket(expected.IPPacket, out VrrpPacket packet));
        VrrpAdvertisement advert = packet.Message.ToAdvertisement();
        byte[] buffer = new byte[VrrpCodec.MaxMessageLength];

        Assert.True(VrrpCodec.TryWrite(advert, buffer, IPAddress.Parse(expected.Source), IPAddress.Parse(expected.Destination), packet.ChecksumMode, out int written));

        Assert.Equal(Convert.ToHexString(expected.Message), Convert.ToHexString(buffer, 0, written));
    }

    [Theory]
    [MemberData(nameof(GoldenVectors.Names), MemberType = typeof(GoldenVectors))]
    public void Building_from_the_captured_fields_reproduces_the_bytes(string name)
    {
        GoldenPacket expected = GoldenVectors.Get(name);
        IPAddress[] addresses = [.. expected.Addresses.Select(IPAddress.Parse)];
        AddressFamily family = expected.IPVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        VrrpAdvertisement advert = expected.Version == 2
            ? VrrpAdvertisement.CreateV2((byte)expected.VirtualRouterId, (byte)expected.Priority, expected.AdvertInterval, addresses,
                (VrrpAuthType)expected.AuthType!.Value,
                expected.AuthType == 0 ? default : VrrpAuthenticationData.FromBytes(expected.AuthData))
            : VrrpAdvertisement.CreateV3((byte)expected.VirtualRouterId, (byte)expected.Priority,
                TimeSpan.FromMilliseconds(expected.AdvertInterval * 10), family, addresses);
        byte[] buffer = new byte[advert.MessageLength];

        // The default a sender chooses is what keepalived does today: the real-destination pseudo-header for VRRPv3.
        Assert.True(VrrpCodec.TryWrite(advert, buffer, IPAddress.Parse(expected.Source), IPAddress.Parse(expected.Destination), VrrpChecksumMode.PseudoHeader, out _));

        Assert.Equal(Convert.ToHexString(expected.Message), Convert.ToHexString(buffer));
    }

    [Fact]
    public void The_password_scenario_carries_secret1()
    {
        GoldenPacket packet = GoldenVectors.All.First(p => p.Scenario == "s2");
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParseIPPacket(packet.IPPacket, out VrrpPacket parsed));

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.CheckAuthentication(parsed.Message, VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("secret1")));
        Assert.Equal(VrrpParseStatus.AuthFailure, VrrpCodec.CheckAuthentication(parsed.Message, VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("secret2")));
        Assert.Equal(VrrpParseStatus.AuthTypeMismatch, VrrpCodec.CheckAuthentication(parsed.Message, VrrpAuthType.None, default));
    }

    private static void AssertFields(GoldenPacket expected, VrrpPacket packet)
    {
        VrrpMessage message = packet.Message;
        Assert.Equal(expected.Source, packet.GetSource().ToString());
        Assert.Equal(expected.Destination, packet.GetDestination().ToString());
        Assert.Equal(expected.TimeToLive, packet.TimeToLive);
        Assert.Equal(expected.Version, (int)message.Version);
        Assert.Equal(expected.Type, message.Bytes[0] & 0x0F);
        Assert.Equal(expected.VirtualRouterId, message.VirtualRouterId);
        Assert.Equal(expected.Priority, message.Priority);
        Assert.Equal(expected.Count, message.AddressCount);
        Assert.Equal(expected.Checksum, message.Checksum);
        int expectedCentiseconds = expected.AdvertIntervalUnit == "seconds" ? expected.AdvertInterval * 100 : expected.AdvertInterval;
        Assert.Equal(expectedCentiseconds, message.IntervalCentiseconds);
        List<string> addresses = [];
        for (int i = 0; i < message.AddressCount; i++)
        {
            addresses.Add(message.GetAddress(i).ToString());
        }

        Assert.Equal(expected.Addresses, addresses);
        if (expected.Version == 2)
        {
            Assert.Equal(expected.AuthType, (int)message.AuthType);
            Assert.Equal(Convert.ToHexString(expected.AuthData!), Convert.ToHexString(message.AuthenticationBytes));
        }
        else
        {
            Assert.True(message.AuthenticationBytes.IsEmpty);
            Assert.Equal(0, message.ReservedBits);
        }

        AddressFamily family = expected.IPVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        Assert.Equal(expected.ChecksumVariant, VrrpChecksum.GetVariantName(message.Version, family, packet.ChecksumMode));
    }
}
