using System.CommandLine;
using System.Text.Json;
using Vrrp.Host.Commands;

namespace Vrrp.Host.Tests;

/// <summary><c>vrrp decode</c> over every packet keepalived sent in the shared captures.</summary>
public class DecodeCommandTests
{
    public static TheoryData<string, int> Packets()
    {
        TheoryData<string, int> data = [];
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "vectors"), "s*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            int count = document.RootElement.GetProperty("packets").GetArrayLength();
            for (int i = 0; i < count; i++)
            {
                data.Add(Path.GetFileName(file), i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void Decodes_a_whole_captured_packet(string file, int index)
    {
        JsonElement expected = Vector(file, index);

        (int exit, JsonElement output, string error) = Decode(expected.GetProperty("ip_packet_hex").GetString()!);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        AssertMatches(expected, output);
        Assert.True(output.GetProperty("ip").GetProperty("from_header").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void Decodes_a_captured_message_with_its_addresses(string file, int index)
    {
        JsonElement expected = Vector(file, index);
        JsonElement direction = expected.GetProperty("direction");

        (int exit, JsonElement output, _) = Decode(
            expected.GetProperty("vrrp_hex").GetString()!,
            "--source", direction.GetProperty("src").GetString()!,
            "--destination", direction.GetProperty("dst").GetString()!);

        Assert.Equal(0, exit);
        AssertMatches(expected, output);
    }

    [Fact]
    public void Accepts_spaced_and_prefixed_hex()
    {
        JsonElement expected = Vector("s1.json", 0);
        string hex = expected.GetProperty("ip_packet_hex").GetString()!;
        string spaced = "0x" + string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));

        (int exit, JsonElement output, _) = Decode(spaced);

        Assert.Equal(0, exit);
        AssertMatches(expected, output);
    }

    [Fact]
    public void A_bad_checksum_exits_1_and_shows_what_each_variant_expects()
    {
        JsonElement vector = Vector("s3.json", 0);
        string hex = vector.GetProperty("vrrp_hex").GetString()!;
        string broken = hex[..12] + "0000" + hex[16..];

        (int exit, JsonElement output, string error) = Decode(broken, "-s", "192.0.2.1", "-d", "192.0.2.2");

        Assert.Equal(1, exit);
        Assert.Equal("bad_checksum", output.GetProperty("reason").GetString());
        Assert.Contains("bad_checksum", error, StringComparison.Ordinal);
        JsonElement expectedChecksums = output.GetProperty("checksum_verdict").GetProperty("expected");
        Assert.Equal(vector.GetProperty("checksum").GetString(), expectedChecksums.GetProperty("v3-pseudo-header-real-dst").GetString());
    }

    [Theory]
    [InlineData("45c000", "too_short")]
    [InlineData("212f66010001b669c0000264", "bad_ip_version")]
    [InlineData("45c0002800010000ff7036a1c0000201c0000202212f66010001b669c000026400000000000000", "bad_ip_total_length")]
    public void A_malformed_packet_exits_1_with_the_reason(string hex, string reason)
    {
        (int exit, JsonElement output, _) = Decode(hex);

        Assert.Equal(1, exit);
        Assert.Equal("rejected", output.GetProperty("status").GetString());
        Assert.Equal(reason, output.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("abc")]
    [InlineData("")]
    public void Input_that_is_not_hex_exits_2(string hex)
    {
        StringWriter output = new();
        StringWriter error = new();
        Assert.Equal(2, DecodeCommand.Run(hex, null, null, 255, output, error));
        Assert.Contains("not hexadecimal", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_given_as_a_packet_gets_a_hint()
    {
        (int exit, _, string error) = Decode("212f66010001b669c00002640000000000000000");
        Assert.Equal(1, exit);
        Assert.Contains("give --source and --destination", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_alone_needs_both_addresses()
    {
        StringWriter error = new();
        Assert.Equal(2, DecodeCommand.Run("212f66010001b669c00002640000000000000000", "192.0.2.1", null, 255, new StringWriter(), error));
        Assert.Contains("--destination", error.ToString(), StringComparison.Ordinal);
    }

    private static JsonElement Vector(string file, int index)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "vectors", file)));
        return document.RootElement.GetProperty("packets")[index].Clone();
    }

    private static (int Exit, JsonElement Output, string Error) Decode(params string[] args)
    {
        StringWriter output = new();
        StringWriter error = new();
        RootCommand root = new() { DecodeCommand.Create() };
        int exit = root.Parse(["decode", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        using JsonDocument json = JsonDocument.Parse(output.ToString());
        return (exit, json.RootElement.Clone(), error.ToString());
    }

    private static void AssertMatches(JsonElement expected, JsonElement output)
    {
        Assert.Equal("valid", output.GetProperty("status").GetString());
        JsonElement vrrp = output.GetProperty("vrrp");
        foreach (string field in new[] { "version", "type", "vrid", "priority", "count", "advert_interval" })
        {
            Assert.Equal(expected.GetProperty(field).GetInt32(), vrrp.GetProperty(field).GetInt32());
        }

        Assert.Equal(expected.GetProperty("advert_interval_unit").GetString(), vrrp.GetProperty("advert_interval_unit").GetString());
        Assert.Equal(expected.GetProperty("checksum").GetString(), vrrp.GetProperty("checksum").GetString());
        Assert.Equal(
            expected.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()),
            vrrp.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(expected.GetProperty("checksum_variant").GetString(), output.GetProperty("checksum_verdict").GetProperty("variant").GetString());
        Assert.Equal(expected.GetProperty("direction").GetProperty("src").GetString(), output.GetProperty("ip").GetProperty("source").GetString());
        Assert.Equal(expected.GetProperty("direction").GetProperty("dst").GetString(), output.GetProperty("ip").GetProperty("destination").GetString());
        if (expected.GetProperty("version").GetInt32() == 2)
        {
            Assert.Equal(expected.GetProperty("auth_data_hex").GetString(), vrrp.GetProperty("auth_data_hex").GetString());
        }
    }
}
