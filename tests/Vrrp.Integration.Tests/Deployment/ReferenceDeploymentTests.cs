using System.Diagnostics;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Deployment;

/// <summary>
/// The reference deployment (shared/reference/reference-deployment.md) in namespaces: host01 MASTER 102 and host02
/// BACKUP 101, VRRPv2, advert_int 3, a <c>vrrp_script</c> running <c>killall -0 haproxy</c> every 2 s with weight 20
/// — our host on one side and keepalived 2.2.7 on the other, both ways round. Documentation addresses stand in for
/// its 10.x ones, and each node tracks its own uniquely named stand-in for haproxy (namespaces share one PID space).
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class ReferenceDeploymentTests : IDisposable
{
    private static readonly TimeSpan AdvertInterval = TimeSpan.FromSeconds(3);
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stopping_haproxy_on_the_master_fails_over_and_starting_it_again_preempts_back(bool oursIsHost01)
    {
        Prerequisites.RequireProgram("killall", "psmisc");
        string tag = Guid.NewGuid().ToString("N")[..6];
        string haproxy1 = $"hapA{tag}";
        string haproxy2 = $"hapB{tag}";
        Process stand1 = StartStandIn(_net.Node1, haproxy1);
        StartStandIn(_net.Node2, haproxy2);
        string host01 = Config("MASTER", 102, self: 1, peer: 2, "veth1", haproxy1);
        string host02 = Config("BACKUP", 101, self: 2, peer: 1, "veth2", haproxy2);
        TimeSpan settle = TimeSpan.FromSeconds(40); // Master_Down_Interval at start-up (9.6 s) + checks + process start

        Node node1 = oursIsHost01 ? Node.Ours(VrrpHost.Start(_net.Lab, _net.Node1, "host01", host01)) : Node.Theirs(Keepalived.Start(_net.Lab, _net.Node1, "host01", host01));
        node1.WaitFor("MASTER", settle);
        Node node2 = oursIsHost01 ? Node.Theirs(Keepalived.Start(_net.Lab, _net.Node2, "host02", host02)) : Node.Ours(VrrpHost.Start(_net.Lab, _net.Node2, "host02", host02));
        node2.WaitFor("BACKUP", settle);
        Thread.Sleep(2 * AdvertInterval);
        Assert.False(node2.Entered("MASTER", 0), "host02 took over from a healthy host01");

        // haproxy dies on host01: 122 -> 102 < 121, host02 preempts (at its Master_Down_Interval after the last
        // advert it accepted), host01 hears the higher priority and steps down.
        int mark1 = node1.Mark();
        int mark2 = node2.Mark();
        stand1.Kill();
        stand1.WaitForExit(5000);
        node2.WaitFor("MASTER", settle, mark2);
        node1.WaitFor("BACKUP", TimeSpan.FromSeconds(10), mark1);

        // haproxy is back: 122 > 121, host01 preempts back.
        mark1 = node1.Mark();
        mark2 = node2.Mark();
        StartStandIn(_net.Node1, haproxy1);
        node1.WaitFor("MASTER", settle, mark1);
        node2.WaitFor("BACKUP", TimeSpan.FromSeconds(10), mark2);
    }

    private Process StartStandIn(string ns, string name)
    {
        // A copy of sleep under the tracked name; it ends by itself if the test is killed, and the lab kills it by PID.
        string path = Path.Combine(_net.Lab.Directory, name);
        if (!File.Exists(path))
        {
            File.Copy("/bin/sleep", path);
        }

        return _net.Lab.Start(ns, path, "600");
    }

    private static string Config(string state, int priority, int self, int peer, string interfaceName, string haproxyName) => $$"""
        vrrp_script haproxy-check {
            script "killall -0 {{haproxyName}}"
            interval 2
            weight 20
        }

        vrrp_instance haproxy-vip {
            state {{state}}
            priority {{priority}}
            interface {{interfaceName}}
            virtual_router_id 47
            advert_int 3

            unicast_src_ip 192.0.2.{{self}}
            unicast_peer {
                192.0.2.{{peer}}
            }

            virtual_ipaddress {
                192.0.2.100
            }

            track_script {
                haproxy-check weight 20
            }
        }

        """;

    /// <summary>Our host or keepalived, seen through the states it enters.</summary>
    private sealed class Node
    {
        private VrrpHost? _ours;
        private Keepalived? _theirs;

        public static Node Ours(VrrpHost host) => new() { _ours = host };

        public static Node Theirs(Keepalived keepalived) => new() { _theirs = keepalived };

        public int Mark() => _ours?.Mark() ?? _theirs!.Mark();

        public void WaitFor(string state, TimeSpan timeout, int from = 0)
        {
            if (_ours is not null)
            {
                _ours.WaitForState(state, timeout, from);
            }
            else
            {
                _theirs!.WaitFor($"Entering {state} STATE", timeout, from);
            }
        }

        public bool Entered(string state, int from) => _ours is not null
            ? _ours.Transitions.Skip(from).Any(t => t.To == state)
            : _theirs!.Logged($"Entering {state} STATE", from);
    }
}
