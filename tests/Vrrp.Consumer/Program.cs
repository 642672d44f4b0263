using System.Net;
using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Aws;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

// Uses the packed Vrrp.Core and Vrrp.Aws as a package consumer would: two routers on the in-memory network, on
// simulated time, must elect the higher priority as MASTER. Exit code 0 when they do, 1 otherwise.
IPAddress a = IPAddress.Parse("192.0.2.1");
IPAddress b = IPAddress.Parse("192.0.2.2");

FakeTimeProvider time = new();
InMemoryNetwork network = new(time);
using VrrpNode nodeA = new(network.AddNode(a), time);
using VrrpNode nodeB = new(network.AddNode(b), time);
VirtualRouter routerA = nodeA.AddRouter(Options("consumer-a", a, b, priority: 150));
VirtualRouter routerB = nodeB.AddRouter(Options("consumer-b", b, a, priority: 100));
nodeA.Start();
nodeB.Start();

// Advance in small steps: a timer's send is delivered by the next step (Master_Down_Interval is about 3.6 s here).
for (int step = 0; step < 1000; step++)
{
    time.Advance(TimeSpan.FromMilliseconds(10));
}

// Vrrp.Aws loads and answers without an AWS account (no client is created here).
TimeSpan actionTimeout = FloatingAddressActionFactory.RecommendedActionTimeout(new AwsFailoverOptions { Region = "us-east-1" });

Console.WriteLine($"Vrrp.Core {Version(typeof(VrrpNode))}, Vrrp.Aws {Version(typeof(AwsFailoverOptions))}");
Console.WriteLine($"{routerA}; {routerB}; AWS action timeout {actionTimeout.TotalSeconds} s");
bool ok = routerA.State == VrrpState.Master && routerB.State == VrrpState.Backup && actionTimeout > TimeSpan.Zero;
Console.WriteLine(ok ? "consumer: ok, one MASTER" : "consumer: FAILED, expected consumer-a MASTER and consumer-b BACKUP");
return ok ? 0 : 1;

static string? Version(Type type) => type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

static VirtualRouterOptions Options(string name, IPAddress self, IPAddress peer, int priority) => new()
{
    Name = name,
    VirtualRouterId = 51,
    Version = VrrpVersion.V3,
    Priority = priority,
    UnicastSource = self,
    Peers = [new VrrpPeer(peer)],
};
