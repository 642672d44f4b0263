using System.Diagnostics;
using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Vrrp.Actions;
using Vrrp.Aws;
using Vrrp.Aws.Tests.Infrastructure;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Tracking;
using Vrrp.Transports.Raw;
using Xunit.Abstractions;

namespace Vrrp.Integration.Tests.Aws;

/// <summary>
/// The reference deployment end to end with the Elastic IP action: host01 (priority 102) and host02 (101) in two network
/// namespaces joined by a veth pair, VRRPv3 over raw sockets opened inside the namespaces, each tracking its own
/// uniquely named haproxy stand-in process with weight 20, each moving the EIP (at moto) to its own ENI on MASTER.
/// </summary>
/// <remarks>
/// The two engines run in the test process with their sockets in the namespaces (<see cref="NetnsLab.InNamespace"/>),
/// and moto listens on 127.0.0.1 in the root namespace: the EC2 calls therefore come from the test process, not from
/// inside the namespaces. The VRRP traffic is all namespace-local; nothing but the test process can reach moto.
/// </remarks>
[Collection(NetnsCollection.Name)]
public sealed class AwsReferenceDeploymentTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan TrackInterval = TimeSpan.FromMilliseconds(100);
    private readonly TwoNodeLab _net = new();
    private readonly MotoServerFixture _moto = new();

    public void Dispose()
    {
        _moto.Dispose();
        _net.Dispose();
    }

    [Fact]
    public async Task Killing_haproxy_on_the_master_moves_the_eip_to_the_other_eni_and_restarting_it_moves_it_back()
    {
        (AmazonEC2Client ec2, MotoWorld world) = _moto.Require();
        string allocation = (await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc })).AllocationId;
        string tag = Guid.NewGuid().ToString("N")[..6];
        string haproxy1 = $"hapA{tag}", haproxy2 = $"hapB{tag}";
        Process stand1 = StartStandIn(_net.Node1, haproxy1);
        StartStandIn(_net.Node2, haproxy2);

        await using Host host01 = Host.Start(_net.Node1, "veth1", IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2"), 102, true, haproxy1, ec2, allocation, world.EniA);
        await WaitAsync(async () => host01.Router.State == VrrpState.Master && await HolderAsync(ec2, allocation) == world.EniA, TimeSpan.FromSeconds(15), "host01 MASTER with the EIP");
        await using Host host02 = Host.Start(_net.Node2, "veth2", IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.1"), 101, false, haproxy2, ec2, allocation, world.EniB);
        await WaitAsync(() => Task.FromResult(host02.Router.State == VrrpState.Backup && host02.Router.EffectivePriority == 121), TimeSpan.FromSeconds(15), "host02 BACKUP 121");
        await Task.Delay(5 * Interval);
        Assert.Equal(0, host02.Router.GetStatistics().BecomeMaster);

        // haproxy dies on host01: 122 -> 102 < 121; host02 takes over at its Master_Down_Interval and moves the EIP.
        TimeSpan bound = TrackInterval + host02.Router.MasterDownInterval + TimeSpan.FromSeconds(2); // + EC2 (moto) time
        var watch = Stopwatch.StartNew();
        stand1.Kill();
        await stand1.WaitForExitAsync();
        await WaitAsync(async () => await HolderAsync(ec2, allocation) == world.EniB, bound, "EIP on host02's ENI");
        TimeSpan failover = watch.Elapsed;
        Assert.Equal(VrrpState.Master, host02.Router.State);
        await WaitAsync(() => Task.FromResult(host01.Router.State == VrrpState.Backup), TimeSpan.FromSeconds(5), "host01 BACKUP");

        // haproxy is back: 122 > 121, host01 preempts and takes the EIP back.
        watch.Restart();
        StartStandIn(_net.Node1, haproxy1);
        await WaitAsync(async () => await HolderAsync(ec2, allocation) == world.EniA, bound, "EIP back on host01's ENI");
        TimeSpan failback = watch.Elapsed;
        await WaitAsync(() => Task.FromResult(host02.Router.State == VrrpState.Backup), TimeSpan.FromSeconds(5), "host02 BACKUP");
        Assert.Equal(0, host01.Action.GetStatistics().Failures + host02.Action.GetStatistics().Failures);

        output.WriteLine($"kill haproxy on host01 -> EIP on host02's ENI: {failover.TotalMilliseconds:F0} ms (bound {bound.TotalMilliseconds:F0} ms, Master_Down_Interval {host02.Router.MasterDownInterval.TotalMilliseconds:F0} ms)");
        output.WriteLine($"restart haproxy on host01 -> EIP back on host01's ENI: {failback.TotalMilliseconds:F0} ms");
    }

    private static async Task<string?> HolderAsync(IAmazonEC2 ec2, string allocation) =>
        (await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocation] })).Addresses?.SingleOrDefault()?.NetworkInterfaceId;

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"not within {timeout}: {what}");
            await Task.Delay(20);
        }
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

    /// <summary>One host: our engine with its socket in the namespace, a process tracker, a pipeline with the EIP action.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private Host(RawSocketTransport transport, VrrpNode node, VirtualRouter router, TrackerRunner tracker, FailoverActionPipeline pipeline, FloatingAddressAction action)
        {
            Transport = transport;
            Node = node;
            Router = router;
            Tracker = tracker;
            Pipeline = pipeline;
            Action = action;
        }

        public RawSocketTransport Transport { get; }

        public VrrpNode Node { get; }

        public VirtualRouter Router { get; }

        public TrackerRunner Tracker { get; }

        public FailoverActionPipeline Pipeline { get; }

        public FloatingAddressAction Action { get; }

        public static Host Start(string ns, string interfaceName, IPAddress self, IPAddress peer, int priority, bool initialMaster, string haproxy, IAmazonEC2 ec2, string allocation, string eni)
        {
            RawSocketTransport transport = NetnsLab.InNamespace(ns, () => RawSocketTransport.Open(new RawSocketTransportOptions { LocalAddress = self, Interface = interfaceName }));
            var node = new VrrpNode(transport, TimeProvider.System);
            VirtualRouter router = node.AddRouter(new VirtualRouterOptions
            {
                Name = "haproxy-vip",
                VirtualRouterId = 47,
                Version = VrrpVersion.V3,
                Priority = priority,
                InitialState = initialMaster ? VrrpInitialState.Master : VrrpInitialState.Backup,
                AdvertisementInterval = Interval,
                UnicastSource = self,
                Peers = [new VrrpPeer(peer)],
                VirtualAddresses = [IPAddress.Parse("203.0.113.31")],
                Trackers = [new VrrpTrackerOptions("haproxy-check", 20)],
            });
            var tracker = new TrackerRunner(new ProcessTracker(new ProcessTrackerOptions { Name = "haproxy-check", ProcessName = haproxy, Interval = TrackInterval }), new ProcessTrackerOptions { Name = "haproxy-check", ProcessName = haproxy, Interval = TrackInterval });
            tracker.Attach(router);
            AwsFailoverOptions failover = Ec2Clients.Fast(TimeSpan.FromSeconds(10));
            FloatingAddressAction action = FloatingAddressActionFactory.Create(ec2, new ElasticIpOptions { AllocationId = allocation, NetworkInterfaceId = eni, VerifyPollInterval = TimeSpan.FromMilliseconds(50) }, failover);
            var pipeline = new FailoverActionPipeline();
            pipeline.Add(action, FloatingAddressActionFactory.RecommendedActionTimeout(failover));
            pipeline.Attach(router);
            tracker.Start();
            node.Start();
            return new Host(transport, node, router, tracker, pipeline, action);
        }

        public async ValueTask DisposeAsync()
        {
            await Tracker.DisposeAsync();
            Node.Dispose();
            await Pipeline.DisposeAsync();
            await Action.DisposeAsync();
            Transport.Dispose();
        }
    }
}
