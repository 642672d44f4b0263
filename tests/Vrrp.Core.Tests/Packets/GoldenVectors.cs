using System.Text.Json;

namespace Vrrp.Tests.Packets;

/// <summary>One packet of the keepalived 2.2.7 captures in Data/vectors (format: Data/vectors/README.md).</summary>
public sealed record GoldenPacket(
    string Scenario,
    string Role,
    int IPVersion,
    int TimeToLive,
    string Source,
    string Destination,
    byte[] IPPacket,
    byte[] Message,
    int Version,
    int Type,
    int VirtualRouterId,
    int Priority,
    int Count,
    int? AuthType,
    int AdvertInterval,
    string AdvertIntervalUnit,
    ushort Checksum,
    string[] Addresses,
    byte[]? AuthData,
    string ChecksumVariant,
    IReadOnlyDictionary<string, bool> ChecksumCandidates)
{
    public override string ToString() => $"{Scenario}: {Role}";
}

public static class GoldenVectors
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Data", "vectors");

    public static IReadOnlyList<GoldenPacket> All { get; } = Load();

    /// <summary>xunit member data: every packet of every scenario.</summary>
    public static TheoryData<string> Names()
    {
        TheoryData<string> data = [];
        foreach (GoldenPacket packet in All)
        {
            data.Add(packet.ToString());
        }

        return data;
    }

    public static GoldenPacket Get(string name) => All.Single(p => p.ToString() == name);

    private static List<GoldenPacket> Load()
    {
        List<GoldenPacket> packets = [];
        string[] files = System.IO.Directory.GetFiles(Directory, "s*.json");
        Assert.True(files.Length >= 7, $"expected the 7 keepalived captures in {Directory}");
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            JsonElement root = document.RootElement;
            string scenario = root.GetProperty("id").GetString()!;
            foreach (JsonElement p in root.GetProperty("packets").EnumerateArray())
            {
                JsonElement auth = p.GetProperty("auth_type");
                JsonElement authData = p.GetProperty("auth_data_hex");
                packets.Add(new GoldenPacket(
                    scenario,
                    p.GetProperty("role").GetString()!,
                    p.GetProperty("ip_version").GetInt32(),
                    p.GetProperty("ttl_or_hoplimit").GetInt32(),
                    p.GetProperty("direction").GetProperty("src").GetString()!,
                    p.GetProperty("direction").GetProperty("dst").GetString()!,
                    Convert.FromHexString(p.GetProperty("ip_packet_hex").GetString()!),
                    Convert.FromHexString(p.GetProperty("vrrp_hex").GetString()!),
                    p.GetProperty("version").GetInt32(),
                    p.GetProperty("type").GetInt32(),
                    p.GetProperty("vrid").GetInt32(),
                    p.GetProperty("priority").GetInt32(),
                    p.GetProperty("count").GetInt32(),
                    auth.ValueKind == JsonValueKind.Null ? null : auth.GetInt32(),
                    p.GetProperty("advert_interval").GetInt32(),
                    p.GetProperty("advert_interval_unit").GetString()!,
                    Convert.ToUInt16(p.GetProperty("checksum").GetString()!, 16),
                    [.. p.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!)],
                    authData.ValueKind == JsonValueKind.Null ? null : Convert.FromHexString(authData.GetString()!),
                    p.GetProperty("checksum_variant").GetString()!,
                    p.GetProperty("checksum_candidates").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetBoolean())));
            }
        }

        return packets;
    }
}
