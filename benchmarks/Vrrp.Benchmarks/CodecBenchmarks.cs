using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using PacketDotNet;
using PacketDotNet.Utils;
using Vrrp.Packets;

namespace Vrrp.Benchmarks;

/// <summary>
/// Parse+verify and build of one advertisement, VRRPv2, VRRPv3 over IPv4 and VRRPv3 over IPv6, with PacketDotNet
/// parsing the same IPv4 packet as the baseline (it decodes the IP header but knows nothing of VRRP).
/// The packets are keepalived 2.2.7's own (shared vectors s1, s3, s6).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    // s1: VRRPv2 from 192.0.2.1 to 192.0.2.2, VRID 47, priority 102, 1 VIP.
    private static readonly byte[] V2Packet = Convert.FromHexString("45c0002800010000ff7036a1c0000201c0000202212f66010001b669c00002640000000000000000");

    // s3: VRRPv3 over IPv4, pseudo-header with the real destination.
    private static readonly byte[] V3Packet = Convert.FromHexString("45c0002000010000ff7036a9c0000201c0000202312f660100642186c0000264");

    // s6: VRRPv3 over IPv6 (message only, as an IPv6 raw socket delivers it; addresses from ancillary data).
    private static readonly byte[] V6Message = Convert.FromHexString("312f66010064ddb420010db8000000000000000000000100");
    private static readonly byte[] V6Source = IPAddress.Parse("2001:db8::1").GetAddressBytes();
    private static readonly byte[] V6Destination = IPAddress.Parse("2001:db8::2").GetAddressBytes();
    private static readonly byte[] V4Source = [192, 0, 2, 1];
    private static readonly byte[] V4Destination = [192, 0, 2, 2];

    private readonly byte[] _buffer = new byte[VrrpCodec.MaxMessageLength];
    private readonly byte[] _trailer = new byte[VrrpHmac.TrailerLength];
    private readonly byte[] _digest = new byte[32];
    private VrrpHmacKey _key = null!;
    private IncrementalHash _platformHmac = null!;
    private byte[] _macInput = [];
    private byte[] _signed = [];
    private VrrpAdvertisement _v2;
    private VrrpAdvertisement _v3;
    private VrrpAdvertisement _v6;

    [GlobalSetup]
    public void Setup()
    {
        _v2 = VrrpAdvertisement.CreateV2(47, 102, 1, [IPAddress.Parse("192.0.2.100")]);
        _v3 = VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.100")]);
        _v6 = VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetworkV6, [IPAddress.Parse("2001:db8::100")]);
        // A signed v3 IPv4 advert (auth_hmac, keepalived 2.4's format) from the s3 message, key 1 of 32 bytes.
        _key = new VrrpHmacKey(1, Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        VrrpCodec.TryWrite(_v3, _buffer, V4Source, V4Destination, VrrpChecksumMode.PseudoHeader, out int length);
        VrrpHmac.Sign(_key, _buffer.AsSpan(0, length), V4Source, VrrpHmac.SequenceAt(DateTimeOffset.UtcNow), _trailer);
        VrrpCodec.TryAppendTrailer(_buffer, length, _trailer, V4Source, V4Destination, out int total);
        _signed = _buffer[..total];
        // What the MAC covers for this advert: the 20-byte pseudo-header, the 12-byte message, the 28-byte trailer.
        _macInput = new byte[20 + total];
        _platformHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, new byte[32]);
        if (VerifySignedV3IPv4() != 102)
        {
            throw new InvalidOperationException("the signed advert does not verify");
        }

        if (VrrpCodec.TryParseIPv4Packet(V2Packet, out _) != VrrpParseStatus.Success ||
            VrrpCodec.TryParseIPv4Packet(V3Packet, out _) != VrrpParseStatus.Success ||
            VrrpCodec.TryParse(V6Message, V6Source, V6Destination, 64, out _) != VrrpParseStatus.Success)
        {
            throw new InvalidOperationException("benchmark vectors do not parse");
        }
    }

    [Benchmark(Baseline = true, Description = "PacketDotNet IPv4Packet (v2 packet)")]
    public int PacketDotNetParseIPv4()
    {
        IPv4Packet packet = new(new ByteArraySegment(V2Packet));
        return packet.TimeToLive + packet.PayloadData.Length + (packet.ValidIPChecksum ? 1 : 0);
    }

    [Benchmark(Description = "parse+verify v2 IPv4 packet")]
    public int ParseV2() => VrrpCodec.TryParseIPv4Packet(V2Packet, out VrrpPacket p) == VrrpParseStatus.Success ? p.Message.Priority : -1;

    [Benchmark(Description = "parse+verify v3 IPv4 packet")]
    public int ParseV3IPv4() => VrrpCodec.TryParseIPv4Packet(V3Packet, out VrrpPacket p) == VrrpParseStatus.Success ? p.Message.Priority : -1;

    [Benchmark(Description = "parse+verify v3 IPv6 message")]
    public int ParseV3IPv6() => VrrpCodec.TryParse(V6Message, V6Source, V6Destination, 64, out VrrpPacket p) == VrrpParseStatus.Success ? p.Message.Priority : -1;

    [Benchmark(Description = "build v2")]
    public int BuildV2()
    {
        VrrpCodec.TryWrite(_v2, _buffer, V4Source, V4Destination, VrrpChecksumMode.MessageOnly, out int written);
        return written;
    }

    [Benchmark(Description = "build v3 IPv4")]
    public int BuildV3IPv4()
    {
        VrrpCodec.TryWrite(_v3, _buffer, V4Source, V4Destination, VrrpChecksumMode.PseudoHeader, out int written);
        return written;
    }

    [Benchmark(Description = "build v3 IPv6")]
    public int BuildV3IPv6()
    {
        VrrpCodec.TryWrite(_v6, _buffer, V6Source, V6Destination, VrrpChecksumMode.PseudoHeader, out int written);
        return written;
    }

    [Benchmark(Description = "sign v3 IPv4 (auth_hmac trailer)")]
    public int SignV3IPv4()
    {
        VrrpHmac.Sign(_key, _signed.AsSpan(0, _signed.Length - VrrpHmac.TrailerLength), V4Source, 42, _trailer);
        return _trailer[^1];
    }

    [Benchmark(Description = "parse+verify v3 IPv4 signed message")]
    public int VerifySignedV3IPv4() =>
        VrrpCodec.TryParse(_signed, V4Source, V4Destination, 255, out VrrpPacket p) == VrrpParseStatus.Success
        && VrrpHmac.Verify(_key, p.Message.Bytes, p.SourceAddress, p.Trailer) ? p.Message.Priority : -1;

    [Benchmark(Description = "platform: SHA-256 of the MAC's 60 input bytes")]
    public int PlatformSha256()
    {
        SHA256.HashData(_macInput, _digest);
        return _digest[0];
    }

    [Benchmark(Description = "platform: HMAC-SHA256 of them, keyed state reused")]
    public int PlatformHmac()
    {
        _platformHmac.AppendData(_macInput);
        _platformHmac.GetHashAndReset(_digest);
        return _digest[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _platformHmac.Dispose();
    }
}
