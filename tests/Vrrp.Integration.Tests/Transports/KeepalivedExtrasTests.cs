using System.Text.Json;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>
/// <c>vrrp run</c> honours keepalived's vrrp_startup_delay, unicast_fault_no_peer, the notify FIFO with its reader
/// script, and a sync group's notify script — end to end in a namespace.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class KeepalivedExtrasTests : IDisposable
{
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public void Startup_delay_fault_without_peers_fifo_lines_and_group_notify_reach_the_outside()
    {
        string directory = Directory.CreateDirectory(Path.Combine(_net.Lab.Directory, "extras")).FullName;
        string reader = Path.Combine(directory, "reader.sh");
        File.WriteAllText(reader, $"#!/bin/sh\nexec cat \"$1\" > {directory}/fifo.out\n");
        string group = Path.Combine(directory, "group.sh");
        File.WriteAllText(group, $"#!/bin/sh\necho \"$*\" >> {directory}/group.out\n");
        foreach (string script in new[] { reader, group })
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string config = $$"""
            global_defs {
                vrrp_startup_delay 2
                json_file_location {{directory}}/keepalived.json
                vrrp_notify_fifo {{directory}}/vrrp.fifo
                vrrp_notify_fifo_script {{reader}}
            }
            vrrp_instance VI_47 {
                interface veth1
                virtual_router_id 47
                priority 102
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
            }
            vrrp_instance VI_48 {
                virtual_router_id 48
                unicast_src_ip 192.0.2.1
                unicast_fault_no_peer
            }
            vrrp_sync_group G {
                group {
                    VI_47
                }
                notify "{{group}} x"
            }
            """;
        DateTimeOffset started = DateTimeOffset.UtcNow;
        // No --state-file: json_file_location names it.
        VrrpHost host = VrrpHost.Start(_net.Lab, _net.Node1, "n1", config, stateFileArgument: false);

        TransitionLine first = host.WaitForState("BACKUP", TimeSpan.FromSeconds(15));
        Assert.True(first.Time - started >= TimeSpan.FromSeconds(2), $"an instance started {(first.Time - started).TotalSeconds:0.000} s after launch, before vrrp_startup_delay 2");
        // Both instances start together after the delay; their lines may come in either order.
        Poll.Until(() => host.Transitions.Any(t => t.Instance == "VI_48"), TimeSpan.FromSeconds(5), "VI_48's first transition", () => host.Log);
        TransitionLine fault = host.Transitions.Single(t => t.Instance == "VI_48");
        Assert.Equal(("FAULT", "NoPeers"), (fault.To, fault.Reason));
        host.WaitForState("MASTER", TimeSpan.FromSeconds(10));

        // The snapshot is where json_file_location says, and `vrrp status --config FILE` finds it there.
        (string dotnet, string dll) = VrrpHost.Program();
        string status = "";
        Poll.Until(() =>
        {
            (int exit, string output) = NetnsLab.Exec(_net.Node1, dotnet, $"{dll} status --config {host.ConfigPath}");
            status = output;
            return exit == 0 && output.Split('\n').Any(l => l.StartsWith("VI_47", StringComparison.Ordinal) && l.Contains("MASTER", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(10), "vrrp status --config showing VI_47 MASTER", () => status + "\n" + host.Log);
        using (JsonDocument snapshot = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "keepalived.json"))))
        {
            Assert.Equal(["VI_47", "VI_48"], snapshot.RootElement.EnumerateArray().Select(i => i.GetProperty("data").GetProperty("iname").GetString()).Order(StringComparer.Ordinal));
        }

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(host.ConfigPath)!, "state.json")));
        host.Terminate(TimeSpan.FromSeconds(15));

        string[] lines = File.ReadAllLines(Path.Combine(directory, "fifo.out"));
        Assert.Equal(
            ["INSTANCE \"VI_47\" BACKUP 102", "GROUP \"G\" BACKUP 0", "INSTANCE \"VI_48\" FAULT 100", "INSTANCE \"VI_47\" MASTER 102", "GROUP \"G\" MASTER 0",
             "INSTANCE \"VI_47\" STOP 102", "GROUP \"G\" STOP 0", "INSTANCE \"VI_48\" STOP 100"],
            lines);
        Assert.Equal(["x GROUP G BACKUP 0", "x GROUP G MASTER 0", "x GROUP G STOP 0"], File.ReadAllLines(Path.Combine(directory, "group.out")));
        Assert.False(File.Exists(Path.Combine(directory, "vrrp.fifo")));
    }
}
