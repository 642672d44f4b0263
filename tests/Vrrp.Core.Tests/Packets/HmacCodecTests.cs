using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

/// <summary>The auth_hmac trailer through the codec: signed, appended, parsed back and verified; any change detected.</summary>
public sealed class HmacCodecTests
{
    private static readonly byte[] KeyBytes = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    public static TheoryData<string> Kinds => ["v2-ipv4", "v3-ipv4", "v3-ipv6"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_signed_advert_parses_with_its_trailer_and_verifies(string kind)
    {
        using VrrpHmacKey key = new(1, KeyBytes);
        (byte[] packet, byte[] source, byte[] destination) = Signed(kind, key, VrrpHmac.SequenceAt(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero)) + 7);

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(packet, source, destination, 255, out VrrpPacket parsed));
        Assert.True(parsed.HasTrailer);
        Assert.Equal(packet.Length - VrrpHmac.TrailerLength, parsed.Message.Bytes.Length);
        Assert.True(VrrpHmac.IsWellFormed(parsed.Trailer));
        Assert.Equal(1, VrrpHmac.GetKeyId(parsed.Trailer));
        Assert.Equal(7UL, VrrpHmac.GetSequence(parsed.Trailer) & 0xFFFF);
        Assert.Equal((uint)new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), (uint)(VrrpHmac.GetSequence(parsed.Trailer) >> 32));
        Assert.True(VrrpHmac.Verify(key, parsed.Message.Bytes, parsed.SourceAddress, parsed.Trailer));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Another_key_another_source_or_another_vrid_does_not_verify(string kind)
    {
        using VrrpHmacKey key = new(1, KeyBytes);
        using VrrpHmacKey other = new(1, [.. KeyBytes.Select(b => (byte)(b ^ 0x55))]);
        (byte[] packet, byte[] source, byte[] destination) = Signed(kind, key, 42);
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(packet, source, destination, 255, out VrrpPacket parsed));
        byte[] message = parsed.Message.Bytes.ToArray();
        byte[] trailer = parsed.Trailer.ToArray();

        Assert.False(VrrpHmac.Verify(other, message, source, trailer));
        byte[] spoofed = (byte[])source.Clone();
        spoofed[^1] ^= 1;
        Assert.False(VrrpHmac.Verify(key, message, spoofed, trailer));
        message[1] ^= 1;
        Assert.False(VrrpHmac.Verify(key, message, source, trailer));
    }

    [Fact]
    public void The_mac_ignores_the_checksum_so_one_signature_serves_every_peer()
    {
        using VrrpHmacKey key = new(1, KeyBytes);
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(51, 200, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.100")]);
        byte[] source = [192, 0, 2, 1];
        byte[] first = new byte[64];
        byte[] second = new byte[64];
        VrrpCodec.TryWrite(advert, first, source, [192, 0, 2, 2], VrrpChecksumMode.PseudoHeader, out int length);
        VrrpCodec.TryWrite(advert, second, source, [192, 0, 2, 3], VrrpChecksumMode.PseudoHeader, out _);
        Assert.NotEqual(first[6..8], second[6..8]);
        byte[] trailer = new byte[VrrpHmac.TrailerLength];

        VrrpHmac.Sign(key, first.AsSpan(0, length), source, 1, trailer);

        Assert.True(VrrpHmac.Verify(key, second.AsSpan(0, length), source, trailer));
    }

    [Fact]
    public void Over_ipv6_the_checksum_covers_the_trailer_and_over_ipv4_it_does_not()
    {
        using VrrpHmacKey key = new(1, KeyBytes);
        (byte[] v6, byte[] s6, byte[] d6) = Signed("v3-ipv6", key, 1);
        (byte[] v4, byte[] s4, byte[] d4) = Signed("v3-ipv4", key, 1);

        Assert.True(VrrpChecksum.IsValid(v6, s6, d6, VrrpChecksumMode.PseudoHeader));
        Assert.False(VrrpChecksum.IsValid(v6.AsSpan(0, v6.Length - VrrpHmac.TrailerLength), s6, d6, VrrpChecksumMode.PseudoHeader));
        Assert.True(VrrpChecksum.IsValid(v4.AsSpan(0, v4.Length - VrrpHmac.TrailerLength), s4, d4, VrrpChecksumMode.PseudoHeader));
    }

    [Fact]
    public void A_malformed_trailer_is_told_apart()
    {
        using VrrpHmacKey key = new(1, KeyBytes);
        byte[] trailer = new byte[VrrpHmac.TrailerLength];
        VrrpHmac.Sign(key, new byte[16] { 0x31, 1, 100, 0, 0, 100, 0, 0, 192, 0, 2, 100, 0, 0, 0, 0 }.AsSpan(0, 12), [192, 0, 2, 1], 5, trailer);
        Assert.True(VrrpHmac.IsWellFormed(trailer));

        trailer[0] = 2;
        Assert.False(VrrpHmac.IsWellFormed(trailer));
        trailer[0] = 1;
        trailer[3] = 1;
        Assert.False(VrrpHmac.IsWellFormed(trailer));
    }

    [Fact]
    public void Keys_must_have_32_to_64_bytes_and_an_id_from_1_to_255_and_never_show_their_material()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VrrpHmacKey(1, new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VrrpHmacKey(1, new byte[65]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VrrpHmacKey(0, new byte[32]));
        using VrrpHmacKey key = new(7, KeyBytes);
        Assert.Equal("auth_hmac key 7", key.ToString());
    }

    [Fact]
    public void Sequences_order_by_serial_arithmetic_across_the_wrap()
    {
        Assert.True(VrrpHmac.IsAfter(2, 1));
        Assert.False(VrrpHmac.IsAfter(1, 1));
        Assert.True(VrrpHmac.IsAfter(0, ulong.MaxValue));
        DateTimeOffset t = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        Assert.True(VrrpHmac.IsAfter(VrrpHmac.SequenceAt(t.AddMilliseconds(1)), VrrpHmac.SequenceAt(t)));
        Assert.Equal(0x8000UL << 16, VrrpHmac.SequenceAt(t.AddMilliseconds(500)) & 0xFFFF_FFFF);
    }

    /// <summary>Any single bit flipped in a signed packet either fails the checksum or fails the MAC: never both pass.</summary>
    [Property(MaxTest = 300, Arbitrary = [typeof(HmacArbitraries)])]
    public void Any_flipped_bit_is_caught(SignedCase signed)
    {
        using VrrpHmacKey key = new(signed.KeyId, signed.Key);
        (byte[] packet, byte[] source, byte[] destination) = Signed(signed.Kind, key, signed.Sequence, signed.Priority, signed.Addresses);
        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(packet, source, destination, 255, out VrrpPacket intact));
        Assert.True(VrrpHmac.Verify(key, intact.Message.Bytes, intact.SourceAddress, intact.Trailer));

        int bit = signed.Bit % (packet.Length * 8);
        packet[bit / 8] ^= (byte)(1 << (bit % 8));

        bool accepted = VrrpCodec.TryParse(packet, source, destination, 255, out VrrpPacket tampered) == VrrpParseStatus.Success
            && tampered.HasTrailer && VrrpHmac.IsWellFormed(tampered.Trailer) && VrrpHmac.GetKeyId(tampered.Trailer) == key.Id
            && VrrpHmac.Verify(key, tampered.Message.Bytes, tampered.SourceAddress, tampered.Trailer);
        Assert.False(accepted, $"bit {bit} of {packet.Length * 8} flipped and still accepted");
    }

    internal static (byte[] Packet, byte[] Source, byte[] Destination) Signed(string kind, VrrpHmacKey key, ulong sequence, int priority = 200, int addresses = 1)
    {
        bool v6 = kind == "v3-ipv6";
        byte[] source = v6 ? IPAddress.Parse("2001:db8::1").GetAddressBytes() : [192, 0, 2, 1];
        byte[] destination = v6 ? IPAddress.Parse("2001:db8::2").GetAddressBytes() : [192, 0, 2, 2];
        IPAddress[] vips = [.. Enumerable.Range(0, addresses).Select(i => v6 ? IPAddress.Parse($"2001:db8::{100 + i:x}") : IPAddress.Parse($"192.0.2.{100 + i}"))];
        VrrpAdvertisement advert = kind == "v2-ipv4"
            ? VrrpAdvertisement.CreateV2(51, (byte)priority, 1, vips)
            : VrrpAdvertisement.CreateV3(51, (byte)priority, TimeSpan.FromSeconds(1), v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, vips);
        byte[] buffer = new byte[advert.MessageLength + VrrpHmac.TrailerLength];
        Assert.True(VrrpCodec.TryWrite(advert, buffer, source, destination, kind == "v2-ipv4" ? VrrpChecksumMode.MessageOnly : VrrpChecksumMode.PseudoHeader, out int length));
        byte[] trailer = new byte[VrrpHmac.TrailerLength];
        VrrpHmac.Sign(key, buffer.AsSpan(0, length), source, sequence, trailer);
        Assert.True(VrrpCodec.TryAppendTrailer(buffer, length, trailer, source, destination, out int total));
        Assert.Equal(buffer.Length, total);
        return (buffer, source, destination);
    }
}

/// <summary>A signed advert's parameters and one bit to flip.</summary>
public sealed record SignedCase(string Kind, byte KeyId, byte[] Key, ulong Sequence, int Priority, int Addresses, int Bit)
{
    public override string ToString() => $"{Kind} key {KeyId} ({Key.Length} B) seq {Sequence:x} prio {Priority} vips {Addresses} bit {Bit}";
}

public static class HmacArbitraries
{
    public static Arbitrary<SignedCase> SignedCases() => Arb.From(
        from kind in Gen.Elements("v2-ipv4", "v3-ipv4", "v3-ipv6")
        from id in Gen.Choose(1, 255)
        from length in Gen.Choose(VrrpHmacKey.MinLength, VrrpHmacKey.MaxLength)
        from key in Gen.ArrayOf(CodecArbitraries.ByteGen(), length)
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        from priority in Gen.Choose(1, 255)
        from addresses in Gen.Choose(0, 20)
        from bit in Gen.Choose(0, int.MaxValue)
        select new SignedCase(kind, (byte)id, key, ((ulong)(uint)high << 32) | (uint)low, priority, addresses, bit));
}
