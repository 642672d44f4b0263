using System.Net.Sockets;
using System.Text.Json;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>
/// SIGHUP to <c>vrrp run</c> (keepalived's reload, what <c>systemctl reload</c> sends): an unchanged file changes nothing,
/// an invalid one is refused while the node keeps running, a changed one applies without a failover for the instances
/// it keeps (a MASTER resumes as MASTER) and stops the removed ones gracefully — and the process never dies of the signal.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class ReloadTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public void Sighup_keeps_an_unchanged_or_invalid_configuration_and_applies_a_changed_one()
    {
        LabScenario s = new("reload", 3, AddressFamily.InterNetwork, TimeSpan.FromMilliseconds(500));
        VrrpHost n1 = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("BACKUP", 150, 1, 2, "veth1"));
        n1.WaitForState("MASTER", Bound);
        VrrpHost n2 = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 100, 2, 1, "veth2"));
        n2.WaitForState("BACKUP", Bound);
        Poll.Until(() => HasVip(_net.Node1), Bound, "the VIP on n1", () => n1.Log);

        // Unchanged: nothing happens.
        int mark1 = n1.Mark();
        int mark2 = n2.Mark();
        n1.Hangup();
        Poll.Until(() => n1.Log.Contains("is unchanged", StringComparison.Ordinal), Bound, "the unchanged reload reported", () => n1.Log);

        // Invalid: refused with the position, the node keeps running as MASTER.
        File.WriteAllText(n1.ConfigPath, "vrrp_instance VI_47 {\n    priority 200\n");
        n1.Hangup();
        Poll.Until(() => n1.Log.Contains("is not valid", StringComparison.Ordinal), Bound, "the invalid reload reported", () => n1.Log);
        Assert.Contains("vrrp.conf:1:", n1.Log, StringComparison.Ordinal);
        Thread.Sleep(s.MasterDownInterval(100) + s.Interval); // long enough for n2 to notice a silent master
        Assert.Equal(mark1, n1.Mark());
        Assert.Equal(mark2, n2.Mark());
        Assert.False(n1.Process!.HasExited, n1.Log);
        Assert.True(HasVip(_net.Node1));

        // Changed: VI_47 at priority 200 and a new VI_48. VI_47 keeps its address, so it goes on as MASTER without
        // resigning: n2 sees no failover and the address never leaves n1.
        string vi48 = """
            vrrp_instance VI_48 {
                virtual_router_id 48
                priority 100
                advert_int 0.5
                version 3
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                no_virtual_ipaddress
            }
            """;
        File.WriteAllText(n1.ConfigPath, s.Config("BACKUP", 200, 1, 2, "veth1") + vi48);
        n1.Hangup();
        Poll.Until(() => n1.Transitions.Skip(mark1).Any(t => t.Instance == "VI_47" && t.To == "MASTER" && t.Reason == "Reload" && t.Priority == 200)
            && n1.Transitions.Skip(mark1).Any(t => t.Instance == "VI_48" && t.To == "MASTER"), Bound, "VI_47 resumed as MASTER at 200 and VI_48 MASTER", () => n1.Log);
        Assert.True(HasVip(_net.Node1));
        Poll.Until(() => BasePriorities(n1).GetValueOrDefault("VI_47") == 200 && BasePriorities(n1).ContainsKey("VI_48"), Bound,
            "the state file shows the new configuration", () => File.ReadAllText(StateFile(n1)));
        Thread.Sleep(s.MasterDownInterval(100) + s.Interval);
        Assert.DoesNotContain(n1.Transitions.Skip(mark1), t => t.Instance == "VI_47" && t.To is "STOPPED" or "BACKUP");
        Assert.Equal(mark2, n2.Mark()); // no failover on the peer
        Assert.True(HasVip(_net.Node1));
        Assert.False(HasVip(_net.Node2));

        // Removed: VI_48 leaves gracefully; VI_47 goes on again.
        int mark3 = n1.Mark();
        File.WriteAllText(n1.ConfigPath, s.Config("BACKUP", 200, 1, 2, "veth1"));
        n1.Hangup();
        Poll.Until(() => n1.Transitions.Skip(mark3).Any(t => t.Instance == "VI_48" && t.To == "STOPPED")
            && n1.Transitions.Skip(mark3).Any(t => t.Instance == "VI_47" && t.Reason == "Reload"), Bound, "VI_48 stopped, VI_47 resumed", () => n1.Log);
        Poll.Until(() => !BasePriorities(n1).ContainsKey("VI_48") && BasePriorities(n1).ContainsKey("VI_47"), Bound, "VI_48 gone from the state file",
            () => File.ReadAllText(StateFile(n1)));
        Assert.Equal(mark2, n2.Mark());
        Assert.True(HasVip(_net.Node1));
        Assert.False(n1.Process!.HasExited, n1.Log);
        Assert.Contains("reloading", n1.Log, StringComparison.Ordinal);

        n1.Terminate(Bound);
        n2.Terminate(Bound);
    }

    private static bool HasVip(string ns) =>
        NetnsLab.Ip($"-n {ns} -o addr show").Contains(" 192.0.2.100/24", StringComparison.Ordinal);

    private static string StateFile(VrrpHost host) => Path.Combine(Path.GetDirectoryName(host.ConfigPath)!, "state.json");

    private static Dictionary<string, int> BasePriorities(VrrpHost host)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(StateFile(host)));
            return document.RootElement.EnumerateArray().ToDictionary(
                i => i.GetProperty("data").GetProperty("iname").GetString()!,
                i => i.GetProperty("data").GetProperty("base_priority").GetInt32());
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return [];
        }
    }
}
