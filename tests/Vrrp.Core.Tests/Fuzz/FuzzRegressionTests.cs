using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vrrp.Fuzz;
using Vrrp.Packets;
using Vrrp.Tests.Packets;

namespace Vrrp.Tests.Fuzz;

/// <summary>
/// Every input the fuzzer (docs/fuzzing.md) ever flagged replays here through the same targets, and each finding
/// has a named test that states the behaviour it pinned down.
/// </summary>
public class FuzzRegressionTests
{
    public static TheoryData<string> Findings()
    {
        TheoryData<string> data = [];
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "fuzz"), "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void A_fuzzer_finding_replays_without_an_exception(string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", file));
        FuzzTargets.Run(input);
    }

    [Fact]
    public void The_whole_fuzz_corpus_replays_without_an_exception()
    {
        // fuzz/corpus: every input AFL++ kept for the coverage it reached (docs/fuzzing.md), through the same targets.
        string[] corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "corpus"));
        Assert.True(corpus.Length >= 244, $"the corpus has {corpus.Length} inputs; fuzz/corpus has at least 244");
        foreach (string file in corpus.Order(StringComparer.Ordinal))
        {
            Exception? thrown = Record.Exception(() => FuzzTargets.Run(File.ReadAllBytes(file)));
            Assert.True(thrown is null, $"{Path.GetFileName(file)}: {thrown}");
        }
    }

    [Fact]
    public void VRRPv3_reserved_bits_are_ignored_on_receive_and_zero_on_send()
    {
        // Finding v3-ipv4-reserved-bits.bin: 31 2f 0b 01 f5 64 ... (reserved nibble 0xf). RFC 9568: receivers ignore it.
        byte[] src = [192, 0, 2, 2];
        byte[] dst = [192, 0, 2, 1];
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(47, 11, TimeSpan.FromMilliseconds(13_800), System.Net.Sockets.AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.9")]);
        byte[] message = new byte[advert.MessageLength];
        VrrpCodec.TryWrite(advert, message, src, dst, VrrpChecksumMode.PseudoHeader, out _);
        message[4] |= 0xF0;
        message[6] = 0;
        message[7] = 0;
        ushort checksum = VrrpChecksum.Compute(message, src, dst, VrrpChecksumMode.PseudoHeader);
        message[6] = (byte)(checksum >> 8);
        message[7] = (byte)checksum;

        Assert.Equal(VrrpParseStatus.Success, VrrpCodec.TryParse(message, src, dst, 255, out VrrpPacket packet));
        Assert.Equal(15, packet.Message.ReservedBits);
        Assert.Equal(1380, packet.Message.IntervalCentiseconds);
        VrrpAdvertisement received = packet.Message.ToAdvertisement();
        Assert.Equal(advert, received);
        byte[] again = new byte[received.MessageLength];
        VrrpCodec.TryWrite(received, again, src, dst, VrrpChecksumMode.PseudoHeader, out _);
        Assert.Equal(0, again[4] >> 4);
    }

    [Property(Arbitrary = [typeof(CodecArbitraries)], MaxTest = 1000)]
    public void Mutated_valid_packets_never_throw_on_any_fuzz_target(AdvertCase c, byte mode, int[] flips)
    {
        byte[] message = c.Encode();
        byte[] packet = IPPackets.Wrap(message, c.Source, c.Destination, 255);
        foreach (int flip in flips ?? [])
        {
            int bit = (int)((uint)flip % (uint)(packet.Length * 8));
            packet[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        FuzzTargets.Run([mode, .. packet]);
        int header = c.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 40 : 20;
        FuzzTargets.Run([(byte)(mode + 1), .. packet.AsSpan(header)]);
    }
}
