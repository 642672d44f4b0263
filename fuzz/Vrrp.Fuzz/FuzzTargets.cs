using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Configuration;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Fuzz;

/// <summary>
/// What the fuzzer drives, also called by the regression tests: the codec entry points and the router's receive
/// path. Bad input must give a status or a counted drop; any exception is a bug.
/// </summary>
public static class FuzzTargets
{
    private static readonly byte[] V4Source = [192, 0, 2, 2];
    private static readonly byte[] V4Destination = [192, 0, 2, 1];
    private static readonly byte[] V6Source = IPAddress.Parse("2001:db8::2").GetAddressBytes();
    private static readonly byte[] V6Destination = IPAddress.Parse("2001:db8::1").GetAddressBytes();

    private static readonly FakeTimeProvider Time = new();
    private static readonly VirtualRouter[] Routers =
    [
        Router(VrrpVersion.V2, "192.0.2.1", "192.0.2.2", password: null),
        Router(VrrpVersion.V2, "192.0.2.1", "192.0.2.2", password: "secret1"),
        Router(VrrpVersion.V3, "192.0.2.1", "192.0.2.2", password: null),
        Router(VrrpVersion.V3, "2001:db8::1", "2001:db8::2", password: null),
    ];

    /// <summary>
    /// One input. The first byte chooses the entry point; the rest is the packet (and, for message-only entry
    /// points, fed as-is with fixed addresses).
    /// </summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<byte> data = input[1..];
        VrrpPacket packet;
        switch (input[0] % 6)
        {
            case 0:
                Use(VrrpCodec.TryParseIPPacket(data, out packet), packet);
                break;
            case 1:
                Use(VrrpCodec.TryParse(data, V4Source, V4Destination, 255, out packet), packet);
                break;
            case 2:
                Use(VrrpCodec.TryParse(data, V6Source, V6Destination, 64, out packet), packet);
                break;
            case 3:
                _ = VrrpCodec.TryParseIPv4Header(data, out _, out _);
                _ = VrrpCodec.TryParse(data, System.Net.Sockets.AddressFamily.InterNetwork, out _);
                _ = VrrpChecksum.TryVerify(data, VrrpVersion.V3, V4Source, V4Destination, out _);
                break;
            default:
                // The receive path: a whole packet through the codec into every router, which must count or act.
                if (VrrpCodec.TryParseIPPacket(data, out packet) == VrrpParseStatus.Success ||
                    VrrpCodec.TryParse(data, V4Source, V4Destination, data.IsEmpty ? (byte)0 : data[0], out packet) == VrrpParseStatus.Success ||
                    VrrpCodec.TryParse(data, V6Source, V6Destination, 255, out packet) == VrrpParseStatus.Success)
                {
                    foreach (VirtualRouter router in Routers)
                    {
                        router.ReceiveAdvertisement(packet);
                    }

                    Time.Advance(TimeSpan.FromMilliseconds(input[0]));
                }

                break;
        }
    }

    /// <summary>
    /// One configuration input: the first byte picks the form (even: keepalived.conf, odd: JSON), the rest is its text
    /// as UTF-8. The reader and importer must answer with a <see cref="ConfigSyntaxException"/> or a
    /// <see cref="KeepalivedConfigException"/> (every error with its position), or a configuration; any other exception
    /// is a bug. Includes never reach the file system: each is refused as an unreadable file would be.
    /// </summary>
    public static void RunConfiguration(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        string text = System.Text.Encoding.UTF8.GetString(input[1..]);
        try
        {
            KeepalivedConfiguration configuration = (input[0] & 1) == 0
                ? KeepalivedImporter.Import(KeepalivedSyntax.Parse(text, "fuzz.conf", static path => throw new IOException($"{path}: not read while fuzzing")))
                : VrrpJsonConfiguration.ImportText(text, "fuzz.json");
            _ = configuration.Instances.Length + configuration.Warnings.Length + configuration.Unsupported.Length;
            foreach (KeepalivedInstance instance in configuration.Instances)
            {
                _ = instance.Options.ToString();
            }
        }
        catch (ConfigSyntaxException e)
        {
            Expect(e.Location.Line >= 1 && e.Location.Column >= 1, "a syntax error without a position");
        }
        catch (KeepalivedConfigException e)
        {
            Expect(e.Errors.Count > 0, "an invalid configuration without an error");
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }

    private static void Use(VrrpParseStatus status, VrrpPacket packet)
    {
        if (status == VrrpParseStatus.Success)
        {
            VrrpAdvertisement advert = packet.Message.ToAdvertisement();
            _ = advert.ToString();
            _ = VrrpCodec.CheckAuthentication(packet.Message, VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("secret1"));
            // Re-encoding gives the same bytes, except the VRRPv3 reserved bits (ignored on receive, zero on send)
            // and the checksum field (recomputed: 0x0000 and 0xFFFF are the same one's-complement zero), and the
            // result validates under the variant the original did.
            ReadOnlySpan<byte> original = packet.Message.Bytes;
            Span<byte> again = stackalloc byte[VrrpCodec.MaxMessageLength];
            if (!VrrpCodec.TryWrite(advert, again, packet.SourceAddress, packet.DestinationAddress, packet.ChecksumMode, out int written) || written != original.Length)
            {
                throw new InvalidOperationException("an accepted message did not re-encode");
            }

            byte reservedMask = packet.Message.Version == VrrpVersion.V3 ? (byte)0x0F : (byte)0xFF;
            bool same = original[..4].SequenceEqual(again[..4]) && (original[4] & reservedMask) == again[4] && original[5] == again[5] &&
                original[8..].SequenceEqual(again[8..written]);
            if (!same || !VrrpChecksum.IsValid(again[..written], packet.SourceAddress, packet.DestinationAddress, packet.ChecksumMode))
            {
                throw new InvalidOperationException("an accepted message did not re-encode to the same advertisement");
            }
        }
    }

    private static VirtualRouter Router(VrrpVersion version, string self, string peer, string? password)
    {
        VirtualRouter router = new(new VirtualRouterOptions
        {
            Name = $"fuzz-v{(int)version}-{self}",
            VirtualRouterId = 47,
            Version = version,
            Priority = 101,
            UnicastSource = IPAddress.Parse(self),
            Peers = [new VrrpPeer(IPAddress.Parse(peer))],
            VirtualAddresses = [IPAddress.Parse(self.Contains(':', StringComparison.Ordinal) ? "2001:db8::100" : "192.0.2.100")],
            AuthType = password is null ? VrrpAuthType.None : VrrpAuthType.SimplePassword,
            AuthPassword = password,
        }, Time);
        router.Start();
        return router;
    }
}
