using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Diagnostics;
using Vrrp.Host.Commands;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Host.Tests;

/// <summary><c>vrrp status</c> on a state file written from live routers.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-status-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_table_shows_states_and_priorities_and_json_round_trips()
    {
        string path = Path.Combine(_directory, "run", "vrrp.json");
        // A clock that stands still: no advert or timer changes a counter between the file and the expected snapshot.
        FakeTimeProvider time = new();
        InMemoryNetwork network = new(time);
        using VrrpNode a = new(network.AddNode(IPAddress.Parse("192.0.2.1")), time);
        using VrrpNode b = new(network.AddNode(IPAddress.Parse("192.0.2.2")), time);
        // The owner (255) is MASTER and a backup is BACKUP as soon as they start: no waiting on the clock.
        VirtualRouter owner = a.AddRouter(Options("VI_OWNER", 255, "192.0.2.1", "192.0.2.2"));
        VirtualRouter backup = b.AddRouter(Options("VI_OWNER", 100, "192.0.2.2", "192.0.2.1"));
        a.Start();
        b.Start();
        using VrrpMetrics metrics = new();
        metrics.Attach(a);
        metrics.Attach(b);
        await using (VrrpStateFileWriter writer = new(path, () => [owner, backup], metrics, time))
        {
            writer.Start();
        }

        StringWriter output = new();
        Assert.Equal(StatusCommand.Printed, StatusCommand.Run(new FileInfo(path), json: false, output, new StringWriter()));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("INSTANCE  STATE   VRID  PRIORITY  BASE  MASTER", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^VI_OWNER\s+MASTER\s+51\s+255\s+255\s+192\.0\.2\.1\s+255\s+192\.0\.2\.100", lines[1]);
        Assert.Matches(@"^VI_OWNER\s+BACKUP\s+51\s+100\s+100\s", lines[2]);

        StringWriter raw = new();
        Assert.Equal(StatusCommand.Printed, StatusCommand.Run(new FileInfo(path), json: true, raw, new StringWriter()));
        string expected = VrrpSnapshot.Create([owner, backup], metrics.GetLastTransitions()).ToJson();
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(raw.ToString()).RootElement));
        a.Shutdown();
        b.Shutdown();
    }

    [Fact]
    public void Config_finds_the_state_file_its_json_file_location_names()
    {
        string state = Path.Combine(_directory, "keepalived.json");
        File.WriteAllText(state, """[ { "data": { "iname": "VI_9", "state_name": "MASTER", "vrid": 9, "effective_priority": 120, "base_priority": 100, "master_priority": 120, "vips": [], "last_transition": 0 } } ]""");
        string config = Path.Combine(_directory, "keepalived.conf");
        File.WriteAllText(config, $"global_defs {{\n json_file_location {state}\n}}\nvrrp_instance VI_9 {{\n virtual_router_id 9\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n}}\n");

        (int exit, string output, _) = Invoke("status", "--config", config);
        Assert.Equal(StatusCommand.Printed, exit);
        Assert.Matches(@"\nVI_9\s+MASTER\s+9\s+120\s+100\s", output);

        // The JSON form's StateFile too; naming the file twice is refused.
        string json = Path.Combine(_directory, "vrrp.json");
        File.WriteAllText(json, $$"""{ "StateFile": "{{state}}", "Instances": [ { "Name": "VI_9", "VirtualRouterId": 9, "UnicastSource": "192.0.2.1", "FaultWithoutPeers": true } ] }""");
        (exit, output, _) = Invoke("status", "--config", json);
        Assert.Equal(StatusCommand.Printed, exit);
        Assert.Matches(@"\nVI_9\s+MASTER\s", output);
        (exit, _, string error) = Invoke("status", "--config", config, "--state-file", state);
        Assert.NotEqual(StatusCommand.Printed, exit);
        Assert.Contains("give one", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_state_file_exits_1_and_says_why()
    {
        StringWriter error = new();
        Assert.Equal(StatusCommand.NoState, StatusCommand.Run(new FileInfo(Path.Combine(_directory, "none.json")), json: false, new StringWriter(), error));
        Assert.Contains("is 'vrrp run' running", error.ToString(), StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Invoke(params string[] arguments)
    {
        StringWriter output = new();
        StringWriter error = new();
        int exit = new System.CommandLine.RootCommand { StatusCommand.Create() }.Parse(arguments).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static VirtualRouterOptions Options(string name, int priority, string source, string peer) => new()
    {
        Name = name,
        VirtualRouterId = 51,
        Priority = priority,
        UnicastSource = IPAddress.Parse(source),
        Peers = [new VrrpPeer(IPAddress.Parse(peer))],
        VirtualAddresses = [IPAddress.Parse("192.0.2.100")],
    };
}
