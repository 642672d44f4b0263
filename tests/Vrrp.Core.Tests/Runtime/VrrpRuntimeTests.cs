using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Runtime;
using Vrrp.Tests.Simulation;
using Vrrp.Transports;

namespace Vrrp.Tests.Runtime;

/// <summary>The runtime every host shares: start, graceful stop, reload with a diff, its failure path, its wiring.</summary>
public sealed class VrrpRuntimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryNetwork _network;

    public VrrpRuntimeTests() => _network = new InMemoryNetwork(_time);

    [Fact]
    public async Task A_reload_keeps_a_master_as_master_without_a_failover_stops_a_removed_instance_gracefully_and_starts_a_new_one()
    {
        await using VrrpRuntime a = Runtime();
        await using VrrpRuntime b = Runtime();
        TransitionLog peer = new(b);
        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2"), Instance("db", 52, 150, "192.0.2.1", "192.0.2.2")));
        await b.StartAsync(Configuration(Instance("web", 51, 100, "192.0.2.2", "192.0.2.1"), Instance("db", 52, 100, "192.0.2.2", "192.0.2.1")));
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.All(a.Routers, r => Assert.Equal(VrrpState.Master, r.State));
        await peer.WaitForAsync(2);

        // web kept with the same addresses, db removed, api added.
        VrrpReloadResult result = await a.ReloadAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2"), Instance("api", 53, 150, "192.0.2.1", "192.0.2.2")) with { Fingerprint = "2" });

        Assert.Equal(VrrpReloadOutcome.Reloaded, result.Outcome);
        Assert.Equal(["web"], result.Continuing.ToArray());
        VirtualRouter web = a.Routers.Single(r => r.Name == "web");
        Assert.Equal(VrrpState.Master, web.State);
        Assert.Equal(["api", "web"], a.Routers.Select(r => r.Name).Order(StringComparer.Ordinal));

        // The peer: db takes over after Skew_Time (priority 0 was sent); web never does.
        _time.Run(TimeSpan.FromSeconds(1));
        await peer.WaitForAsync(3);
        Assert.Equal(VrrpState.Master, b.Routers.Single(r => r.Name == "db").State);
        Assert.Equal(VrrpState.Backup, b.Routers.Single(r => r.Name == "web").State);
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(peer.Transitions, t => t.InstanceName == "web" && t.NewState == VrrpState.Master);
        Assert.Equal(VrrpState.Master, web.State);
    }

    [Fact]
    public async Task A_reload_with_the_running_fingerprint_changes_nothing()
    {
        await using VrrpRuntime a = Runtime();
        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2")) with { Fingerprint = "same" });
        VirtualRouter before = a.Routers.Single();

        VrrpReloadResult result = await a.ReloadAsync(Configuration(Instance("web", 51, 50, "192.0.2.1", "192.0.2.2")) with { Fingerprint = "same" });

        Assert.Equal(VrrpReloadOutcome.Unchanged, result.Outcome);
        Assert.Same(before, a.Routers.Single());
    }

    [Fact]
    public async Task A_reload_that_cannot_start_runs_the_previous_configuration_again()
    {
        FailingFactory transports = new(_network, IPAddress.Parse("198.51.100.1"));
        await using VrrpRuntime a = Runtime(transports);
        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2")));
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(VrrpState.Master, a.Routers.Single().State);

        VrrpReloadResult result = await a.ReloadAsync(Configuration(Instance("web", 51, 150, "198.51.100.1", "198.51.100.2")));

        Assert.Equal(VrrpReloadOutcome.RestoredPrevious, result.Outcome);
        Assert.Contains("cannot start instances on 198.51.100.1", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), a.Routers.Single().UnicastSource);
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(VrrpState.Master, a.Routers.Single().State);
    }

    [Fact]
    public async Task A_start_that_cannot_open_a_transport_throws_and_leaves_nothing_running()
    {
        await using VrrpRuntime a = Runtime(new FailingFactory(_network, IPAddress.Parse("192.0.2.1")));

        VrrpTransportException error = await Assert.ThrowsAsync<VrrpTransportException>(() => a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2"))));

        Assert.Contains("192.0.2.1", error.Message, StringComparison.Ordinal);
        Assert.False(a.IsRunning);
        Assert.Empty(a.Routers);
    }

    [Fact]
    public async Task A_graceful_stop_sends_priority_zero_and_the_peer_takes_over_at_once()
    {
        await using VrrpRuntime a = Runtime();
        await using VrrpRuntime b = Runtime();
        TransitionLog peer = new(b);
        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2")));
        await b.StartAsync(Configuration(Instance("web", 51, 100, "192.0.2.2", "192.0.2.1")));
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([VrrpState.Backup], (await peer.WaitForAsync(1)).Select(t => t.NewState));

        Assert.True(await a.StopAsync());
        _time.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(VrrpState.Stopped, a.Routers.Single().State);
        Assert.Equal(1, a.Routers.Single().GetStatistics().PriorityZeroSent);
        Assert.Equal(VrrpState.Master, b.Routers.Single().State);
        Assert.Equal(VrrpTransitionReason.MasterLeft, (await peer.WaitForAsync(2)).Last().Reason);
    }

    [Fact]
    public async Task The_wiring_names_transports_addresses_actions_trackers_and_the_state_file()
    {
        string state = Path.Combine(Path.GetTempPath(), $"vrrp-runtime-{Guid.NewGuid():N}.json");
        await using VrrpRuntime a = Runtime(manageAddresses: true);
        KeepalivedConfiguration configuration = VrrpJsonConfiguration.ImportText($$"""
            {
              "StateFile": "{{state}}",
              "Trackers": [ { "Name": "chk", "Kind": "Script", "Script": "/bin/true" } ],
              "Instances": [ {
                "Name": "web", "VirtualRouterId": 51, "Priority": 150, "UnicastSource": "192.0.2.1", "Interface": "eth0",
                "Peers": [ { "Address": "192.0.2.2" } ],
                "VirtualAddresses": [ "192.0.2.100/24", "192.0.2.101/24 dev eth1 label eth1:vip" ],
                "Trackers": [ { "Name": "chk" } ],
                "Notify": { "Master": "/bin/true" }
              } ]
            }
            """);
        try
        {
            await a.StartAsync(new VrrpRuntimeConfiguration(configuration) { Actions = [new DelegateFailoverAction("mine", _ => { })] });

            Assert.Equal(
                [
                    "address web dev=eth0 label=- addresses=192.0.2.100/24",
                    "address web dev=eth1 label=eth1:vip addresses=192.0.2.101/24",
                    "transport 192.0.2.1 interface=eth0 instances=web",
                    "tracker script:chk kind=ScriptTracker interval=1s instances=web",
                    "action vip:web:eth0 lane=address timeout=30s kind=RecordingAddressAction",
                    "action vip:web:eth1:eth1:vip lane=address timeout=30s kind=RecordingAddressAction",
                    "action notify:web lane=notify timeout=61s kind=NotifyScriptAction",
                    "action mine lane=default timeout=30s kind=DelegateFailoverAction",
                    $"state-file {state}",
                ],
                a.Describe());
            Assert.True(File.Exists(state));
        }
        finally
        {
            await a.StopAsync();
            File.Delete(state);
        }
    }

    [Fact]
    public async Task Runtime_subscribers_are_isolated_from_each_other_and_from_the_protocol()
    {
        await using VrrpRuntime a = Runtime();
        using ManualResetEventSlim unblock = new();
        a.StateChanged += (_, _) => unblock.Wait(Bound);
        a.StateChanged += (_, _) => throw new InvalidOperationException("a subscriber's bug");
        TransitionLog log = new(a);

        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2")));
        _time.Run(TimeSpan.FromSeconds(5));
        await a.StopAsync();

        Assert.Equal([VrrpState.Backup, VrrpState.Master, VrrpState.Stopped], (await log.WaitForAsync(3)).Select(t => t.NewState));
        unblock.Set();
    }

    [Fact]
    public async Task A_transport_that_can_no_longer_receive_makes_the_runtime_leave_gracefully_and_say_why()
    {
        FaultingFactory transports = new(_network);
        await using VrrpRuntime a = Runtime(transports);
        await using VrrpRuntime b = Runtime();
        TransitionLog peer = new(b);
        await a.StartAsync(Configuration(Instance("web", 51, 150, "192.0.2.1", "192.0.2.2")));
        await b.StartAsync(Configuration(Instance("web", 51, 100, "192.0.2.2", "192.0.2.1")));
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(VrrpState.Master, a.Routers.Single().State);
        TaskCompletionSource<VrrpTransportException> faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Faulted += (_, e) => faulted.TrySetResult(e);

        VrrpTransportException fault = new("The VRRP socket on 192.0.2.1 stopped receiving and could not be reopened (5 attempts): test");
        transports.Created.Single().Fail(fault);

        Assert.Same(fault, await faulted.Task.WaitAsync(Bound));
        Assert.Same(fault, a.Fault);
        Assert.False(a.IsRunning);
        Assert.Equal(VrrpState.Stopped, a.Routers.Single().State);

        // It left with priority 0: the peer takes over after Skew_Time, not after Master_Down_Interval.
        _time.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(VrrpState.Master, (await peer.WaitForAsync(2))[^1].NewState);
    }

    private VrrpRuntime Runtime(IVrrpTransportFactory? transports = null, bool manageAddresses = false) => new(new VrrpRuntimeOptions
    {
        Transports = transports ?? new NetworkFactory(_network),
        TimeProvider = _time,
        ManageLocalAddresses = manageAddresses,
        LocalAddressActionFactory = o => new RecordingAddressAction(o.Name!),
    });

    private static VrrpRuntimeConfiguration Configuration(params string[] instances) => new(VrrpJsonConfiguration.ImportText($$"""
        { "Instances": [ {{string.Join(",", instances)}} ] }
        """));

    private static string Instance(string name, int vrid, int priority, string source, string peer) => $$"""
        { "Name": "{{name}}", "VirtualRouterId": {{vrid}}, "Version": 3, "Priority": {{priority}}, "UnicastSource": "{{source}}",
          "Peers": [ { "Address": "{{peer}}" } ], "VirtualAddresses": [ "192.0.2.{{vrid + 100}}" ] }
        """;

    private sealed class NetworkFactory(InMemoryNetwork network) : IVrrpTransportFactory
    {
        public IVrrpTransport Create(IPAddress localAddress, string? interfaceName) => network.GetOrAddNode(localAddress);
    }

    private sealed class FailingFactory(InMemoryNetwork network, IPAddress refused) : IVrrpTransportFactory
    {
        public IVrrpTransport Create(IPAddress localAddress, string? interfaceName) =>
            localAddress.Equals(refused) ? throw new VrrpTransportException($"{localAddress} is not an address of this host") : network.GetOrAddNode(localAddress);
    }

    /// <summary>Hands out in-memory transports that can be made to fail as a raw socket that cannot be reopened does.</summary>
    private sealed class FaultingFactory(InMemoryNetwork network) : IVrrpTransportFactory
    {
        public List<FaultingTransport> Created { get; } = [];

        public IVrrpTransport Create(IPAddress localAddress, string? interfaceName)
        {
            FaultingTransport transport = new(network.GetOrAddNode(localAddress));
            Created.Add(transport);
            return transport;
        }
    }

    private sealed class FaultingTransport(IVrrpTransport inner) : IVrrpTransport
    {
        public VrrpTransportException? Fault { get; private set; }

        public event EventHandler<VrrpTransportException>? Faulted;

        public void Fail(VrrpTransportException fault)
        {
            Fault = fault;
            Faulted?.Invoke(this, fault);
        }

        public bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive) => inner.Send(message, source, destination, timeToLive);

        public IDisposable RegisterReceiver(VrrpDatagramHandler handler) => inner.RegisterReceiver(handler);

        public void Dispose() => inner.Dispose();
    }

    private sealed class RecordingAddressAction(string name) : IFailoverAction, IFailoverActionPolicy
    {
        public string Name { get; } = name;

        public string Lane => FailoverLanes.Address;

        public TimeSpan? TimeoutPerEvent => null;

        public Task OnEventAsync(FailoverEvent failoverEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Collects the transitions a runtime delivers to a subscriber, which arrive on the thread pool.</summary>
    private sealed class TransitionLog
    {
        private readonly ConcurrentQueue<VrrpTransition> _transitions = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public TransitionLog(VrrpRuntime runtime) => runtime.StateChanged += OnTransition;

        public IReadOnlyList<VrrpTransition> Transitions => [.. _transitions];

        public async Task<IReadOnlyList<VrrpTransition>> WaitForAsync(int count)
        {
            while (_transitions.Count < count)
            {
                Assert.True(await _arrived.WaitAsync(Bound), $"{_transitions.Count} of {count} transitions arrived");
            }

            return Transitions;
        }

        private void OnTransition(object? sender, VrrpTransition transition)
        {
            _transitions.Enqueue(transition);
            _arrived.Release();
        }
    }
}
