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
    public void A_missing_state_file_exits_1_and_says_why()
    {
        StringWriter error = new();
        Assert.Equal(StatusCommand.NoState, StatusCommand.Run(new FileInfo(Path.Combine(_directory, "none.json")), json: false, new StringWriter(), error));
        Assert.Contains("is 'vrrp run' running", error.ToString(), StringComparison.Ordinal);
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
