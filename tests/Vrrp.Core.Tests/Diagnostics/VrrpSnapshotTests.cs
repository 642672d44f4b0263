using System.Text.Json;
using Vrrp.Diagnostics;
using Vrrp.Routing;

namespace Vrrp.Tests.Diagnostics;

/// <summary>The keepalived.json-shaped snapshot.</summary>
public sealed class VrrpSnapshotTests
{
    [Fact]
    public void A_master_and_a_backup_have_keepalived_field_names_and_values()
    {
        using DiagnosticsCluster cluster = new();
        using VrrpMetrics metrics = new();
        metrics.Attach(cluster.NodeA);
        metrics.Attach(cluster.NodeB);
        cluster.Start();
        cluster.Run(TimeSpan.FromSeconds(10));

        string json = VrrpSnapshot.Create([cluster.A, cluster.B], metrics.GetLastTransitions()).ToJson();

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        Assert.Equal(2, document.RootElement.GetArrayLength());
        JsonElement master = document.RootElement[0].GetProperty("data");
        JsonElement backup = document.RootElement[1].GetProperty("data");

        Assert.Equal("VI_A", master.GetProperty("iname").GetString());
        Assert.Equal(2, master.GetProperty("state").GetInt32());
        Assert.Equal("MASTER", master.GetProperty("state_name").GetString());
        Assert.Equal(2, master.GetProperty("wantstate").GetInt32());
        Assert.Equal(150, master.GetProperty("base_priority").GetInt32());
        Assert.Equal(150, master.GetProperty("effective_priority").GetInt32());
        Assert.Equal(150, master.GetProperty("master_priority").GetInt32());
        Assert.Equal(51, master.GetProperty("vrid").GetInt32());
        Assert.Equal(3, master.GetProperty("version").GetInt32());
        Assert.Equal(1.0, master.GetProperty("adver_int").GetDouble());
        Assert.Equal(1.0, master.GetProperty("master_adver_int").GetDouble());
        Assert.True(master.GetProperty("vipset").GetBoolean());
        Assert.Equal(["192.0.2.100"], master.GetProperty("vips").EnumerateArray().Select(e => e.GetString()));

        // A became MASTER at Master_Down_Interval = 3 s + (256 - 150) / 256 s after the start (within one 10 ms step).
        double start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;
        Assert.InRange(master.GetProperty("last_transition").GetDouble() - start, 3.41, 3.43);

        Assert.Equal("VI_B", backup.GetProperty("iname").GetString());
        Assert.Equal(1, backup.GetProperty("state").GetInt32());
        Assert.Equal("BACKUP", backup.GetProperty("state_name").GetString());
        Assert.Equal(100, backup.GetProperty("base_priority").GetInt32());
        Assert.Equal(150, backup.GetProperty("master_priority").GetInt32());
        Assert.Equal("192.0.2.1", backup.GetProperty("master_saddr").GetString());
        Assert.False(backup.GetProperty("vipset").GetBoolean());
        Assert.Equal(start, backup.GetProperty("last_transition").GetDouble(), 3);

        JsonElement masterStats = document.RootElement[0].GetProperty("stats");
        JsonElement backupStats = document.RootElement[1].GetProperty("stats");
        Assert.Equal(cluster.A.GetStatistics().AdvertisementsSent, masterStats.GetProperty("advert_sent").GetInt64());
        Assert.Equal(1, masterStats.GetProperty("become_master").GetInt64());
        Assert.Equal(0, backupStats.GetProperty("advert_sent").GetInt64());
        Assert.Equal(cluster.A.GetStatistics().AdvertisementsSent, backupStats.GetProperty("advert_rcvd").GetInt64());
        // keepalived 2.4's keepalived.json order (2.2.7's without the auth_ext_* of auth_hmac).
        string[] keepalived = ["advert_rcvd", "advert_sent", "become_master", "release_master", "packet_len_err", "advert_interval_err", "ip_ttl_err",
            "invalid_type_rcvd", "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure", "auth_ext_missing", "auth_ext_malformed",
            "auth_ext_unknown_key", "auth_ext_invalid_hmac", "auth_ext_stale", "auth_ext_replay", "pri_zero_rcvd", "pri_zero_sent"];
        Assert.Equal(keepalived, backupStats.EnumerateObject().Take(keepalived.Length).Select(p => p.Name));
    }

    [Fact]
    public void Fault_and_stop_use_keepalived_numbers()
    {
        using DiagnosticsCluster cluster = new();
        cluster.Start();
        cluster.Run(TimeSpan.FromSeconds(5));
        cluster.A.ReportTrackerResult("check", success: false);
        cluster.B.Shutdown();

        using JsonDocument document = JsonDocument.Parse(VrrpSnapshot.Create([cluster.A, cluster.B]).ToJson(indented: false));

        JsonElement fault = document.RootElement[0].GetProperty("data");
        Assert.Equal(3, fault.GetProperty("state").GetInt32());
        Assert.Equal(1, fault.GetProperty("wantstate").GetInt32());
        Assert.Equal(0, fault.GetProperty("last_transition").GetDouble());
        Assert.Equal(98, document.RootElement[1].GetProperty("data").GetProperty("state").GetInt32());
        Assert.Equal(1, document.RootElement[0].GetProperty("stats").GetProperty("pri_zero_sent").GetInt64());
    }
}
