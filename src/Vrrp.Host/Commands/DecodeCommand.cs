using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vrrp.Packets;

namespace Vrrp.Host.Commands;

/// <summary>
/// <c>vrrp decode HEX</c>: decodes a whole IPv4/IPv6 packet, or a VRRP message alone with <c>--source</c> and
/// <c>--destination</c>, and prints the fields as JSON with the checksum verdict and variant.
/// Exit codes: 0 valid, 1 rejected (the reason is printed), 2 unusable input (not hex, bad address).
/// </summary>
internal static class DecodeCommand
{
    public const int Valid = 0;
    public const int Rejected = 1;
    public const int BadInput = 2;

    public static Command Create()
    {
        Argument<string> hex = new("hex")
        {
            Description = "The packet in hexadecimal (spaces, colons and a 0x prefix are ignored); '-' reads it from standard input.",
        };
        Option<string?> source = new("--source", "-s") { Description = "IP source address, when HEX is a VRRP message without its IP header." };
        Option<string?> destination = new("--destination", "-d") { Description = "IP destination address, when HEX is a VRRP message without its IP header." };
        Option<int> ttl = new("--ttl") { Description = "TTL or hop limit the message arrived with (message-only input).", DefaultValueFactory = _ => 255 };
        Command command = new("decode", "Decode a captured VRRP packet and verify its checksum.") { hex, source, destination, ttl };
        command.SetAction(parse => Run(
            parse.GetValue(hex)!,
            parse.GetValue(source),
            parse.GetValue(destination),
            parse.GetValue(ttl),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(string hexText, string? sourceText, string? destinationText, int ttl, TextWriter output, TextWriter error)
    {
        if (hexText == "-")
        {
            hexText = Console.In.ReadToEnd();
        }

        if (!TryParseHex(hexText, out byte[] bytes))
        {
            error.WriteLine("error: the input is not hexadecimal (an even number of 0-9, a-f digits).");
            return BadInput;
        }

        VrrpParseStatus status;
        VrrpPacket packet;
        byte[] src = [];
        byte[] dst = [];
        bool wholePacket = sourceText is null && destinationText is null;
        if (wholePacket)
        {
            status = VrrpCodec.TryParseIPPacket(bytes, out packet);
        }
        else
        {
            if (!Vrrp.Configuration.KeepalivedImporter.TryParseAddress(sourceText ?? "", out IPAddress? sourceAddress) || !Vrrp.Configuration.KeepalivedImporter.TryParseAddress(destinationText ?? "", out IPAddress? destinationAddress))
            {
                error.WriteLine("error: a VRRP message alone needs both --source and --destination as IP addresses (the VRRPv3 checksum covers them).");
                return BadInput;
            }

            if (ttl is < 0 or > 255)
            {
                error.WriteLine("error: --ttl is 0 to 255.");
                return BadInput;
            }

            src = sourceAddress.GetAddressBytes();
            dst = destinationAddress.GetAddressBytes();
            status = VrrpCodec.TryParse(bytes, src, dst, (byte)ttl, out packet);
        }

        using MemoryStream buffer = new();
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (status == VrrpParseStatus.Success)
            {
                json.WriteString("status", "valid");
                WriteIP(json, packet.GetSource(), packet.GetDestination(), packet.TimeToLive, wholePacket);
                WriteMessage(json, packet.Message);
                AddressFamily family = packet.SourceAddress.Length == 16 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
                json.WriteStartObject("checksum_verdict");
                json.WriteBoolean("valid", true);
                json.WriteString("variant", VrrpChecksum.GetVariantName(packet.Message.Version, family, packet.ChecksumMode));
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("status", "rejected");
                json.WriteString("reason", status.ToCounterName());
                json.WriteString("detail", status.Describe());
                if (status == VrrpParseStatus.BadChecksum)
                {
                    WriteBadChecksum(json, bytes, src, dst, wholePacket);
                }
            }

            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        if (status != VrrpParseStatus.Success)
        {
            error.WriteLine($"rejected: {status.ToCounterName()}: {status.Describe()}");
            if (wholePacket && status == VrrpParseStatus.BadIPVersion && bytes[0] >> 4 is 2 or 3)
            {
                error.WriteLine("hint: this looks like a VRRP message without its IP header; give --source and --destination.");
            }
            return Rejected;
        }

        return Valid;
    }

    private static void WriteIP(Utf8JsonWriter json, IPAddress source, IPAddress destination, byte ttl, bool fromHeader)
    {
        json.WriteStartObject("ip");
        json.WriteNumber("version", source.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4);
        json.WriteString("source", source.ToString());
        json.WriteString("destination", destination.ToString());
        json.WriteNumber(source.AddressFamily == AddressFamily.InterNetworkV6 ? "hop_limit" : "ttl", ttl);
        json.WriteBoolean("from_header", fromHeader);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, VrrpMessage message)
    {
        json.WriteStartObject("vrrp");
        json.WriteNumber("version", (int)message.Version);
        json.WriteNumber("type", message.Bytes[0] & 0x0F);
        json.WriteNumber("vrid", message.VirtualRouterId);
        json.WriteNumber("priority", message.Priority);
        json.WriteNumber("count", message.AddressCount);
        if (message.Version == VrrpVersion.V2)
        {
            json.WriteNumber("auth_type", (int)message.AuthType);
            json.WriteNumber("advert_interval", message.IntervalCentiseconds / 100);
            json.WriteString("advert_interval_unit", "seconds");
        }
        else
        {
            json.WriteNumber("reserved_bits", message.ReservedBits);
            json.WriteNumber("advert_interval", message.IntervalCentiseconds);
            json.WriteString("advert_interval_unit", "centiseconds");
        }

        json.WriteNumber("advert_interval_seconds", message.IntervalCentiseconds / 100m);
        json.WriteString("checksum", "0x" + message.Checksum.ToString("x4", CultureInfo.InvariantCulture));
        json.WriteStartArray("addresses");
        for (int i = 0; i < message.AddressCount; i++)
        {
            json.WriteStringValue(message.GetAddress(i).ToString());
        }

        json.WriteEndArray();
        if (message.Version == VrrpVersion.V2)
        {
            // The capture already carries the password in clear; show it as bytes only.
            json.WriteString("auth_data_hex", Convert.ToHexStringLower(message.AuthenticationBytes));
        }

        json.WriteEndObject();
    }

    private static void WriteBadChecksum(Utf8JsonWriter json, byte[] bytes, byte[] src, byte[] dst, bool wholePacket)
    {
        // The structure is fine; show the fields and what each variant would have needed.
        ReadOnlySpan<byte> message = bytes;
        if (wholePacket)
        {
            int offset = bytes[0] >> 4 == 6 ? 40 : (bytes[0] & 0x0F) * 4;
            int length = bytes[0] >> 4 == 6 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)) - offset;
            message = bytes.AsSpan(offset, length);
            src = bytes[0] >> 4 == 6 ? bytes[8..24] : bytes[12..16];
            dst = bytes[0] >> 4 == 6 ? bytes[24..40] : bytes[16..20];
        }

        AddressFamily family = src.Length == 16 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (VrrpCodec.TryParse(message, family, out VrrpMessage parsed) != VrrpParseStatus.Success)
        {
            return;
        }

        WriteMessage(json, parsed);
        json.WriteStartObject("checksum_verdict");
        json.WriteBoolean("valid", false);
        json.WriteStartObject("expected");
        ReadOnlySpan<VrrpChecksumMode> modes = parsed.Version == VrrpVersion.V2
            ? [VrrpChecksumMode.MessageOnly]
            : family == AddressFamily.InterNetworkV6
                ? [VrrpChecksumMode.PseudoHeader]
                : [VrrpChecksumMode.PseudoHeader, VrrpChecksumMode.PseudoHeaderVrrpMulticast, VrrpChecksumMode.MessageOnly];
        foreach (VrrpChecksumMode mode in modes)
        {
            ushort expected = VrrpChecksum.Compute(parsed.Bytes, src, dst, mode);
            json.WriteString(VrrpChecksum.GetVariantName(parsed.Version, family, mode), "0x" + expected.ToString("x4", CultureInfo.InvariantCulture));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static bool TryParseHex(string text, out byte[] bytes)
    {
        StringBuilder digits = new(text.Length);
        string trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }

        foreach (char c in trimmed)
        {
            if (char.IsWhiteSpace(c) || c is ':' or '-')
            {
                continue;
            }

            digits.Append(c);
        }

        bytes = new byte[digits.Length / 2];
        return digits.Length > 0 && digits.Length % 2 == 0 &&
            Convert.FromHexString(digits.ToString(), bytes, out _, out _) == System.Buffers.OperationStatus.Done;
    }
}
