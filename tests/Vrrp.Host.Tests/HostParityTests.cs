using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Aws;
using Vrrp.Hosting;
using Vrrp.Host.Commands;
using Vrrp.Routing;
using Vrrp.Runtime;
using Vrrp.Transports;

namespace Vrrp.Host.Tests;

/// <summary>
/// One configuration file run through both hosts, <c>AddVrrp</c> (a .NET service) and <c>vrrp run</c>: the same wiring
/// (addresses by dev/label, notify scripts, FIFO, sync group, trackers, an AWS action) and the same event stream, because
/// both are shells around one <see cref="VrrpRuntime"/>. Each runs on its own in-memory network and fake clock.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostParityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("vrrp-parity-").FullName;

    static HostParityTests()
    {
        // The AWS action reaches only 127.0.0.1:9 (refused); credentials come from here, never from instance metadata.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "testing");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task AddVrrp_and_vrrp_run_wire_the_same_configuration_the_same_way_and_deliver_the_same_events()
    {
        Run viaRun = await RunAsync("run", StartVrrpRunAsync);
        Run viaAddVrrp = await RunAsync("addvrrp", StartAddVrrpAsync);

        // The wiring, with each run's own directory taken out.
        Assert.NotEmpty(viaRun.Wiring);
        Assert.Contains(viaRun.Wiring, l => l.StartsWith("address web dev=eth1 label=eth1:vip", StringComparison.Ordinal));
        Assert.Contains(viaRun.Wiring, l => l.StartsWith("action notify-group:g", StringComparison.Ordinal));
        Assert.Contains(viaRun.Wiring, l => l.StartsWith("fifo ", StringComparison.Ordinal));
        Assert.Contains(viaRun.Wiring, l => l.StartsWith("sync-group g", StringComparison.Ordinal));
        Assert.Contains(viaRun.Wiring, l => l.Contains("lane=cloud", StringComparison.Ordinal) && l.Contains(nameof(FloatingAddressAction), StringComparison.Ordinal));
        Assert.Contains(viaRun.Wiring, l => l.StartsWith("tracker file:flag", StringComparison.Ordinal));
        Assert.Equal(viaRun.Wiring, viaAddVrrp.Wiring);

        // The events the actions were given, in order (the tracker lowered web to 80 before the stop), and what the notify
        // scripts and the FIFO saw: the sync group's transitions and the priority change too.
        Assert.Contains("8 Stop web 80", viaRun.Events);
        Assert.Equal(viaRun.Events, viaAddVrrp.Events);
        Assert.Contains("GROUP g MASTER 0", viaRun.NotifyLines);
        Assert.Equal(viaRun.NotifyLines, viaAddVrrp.NotifyLines);
        Assert.Contains("INSTANCE \"web\" MASTER_PRIORITY 80", viaRun.FifoLines);
        Assert.Equal(viaRun.FifoLines, viaAddVrrp.FifoLines);
    }

    private delegate Task<Started> Starter(string file, FakeTimeProvider time, InMemoryNetwork network, AddressRecorder addresses);

    private async Task<Run> RunAsync(string name, Starter start)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        string file = WriteConfiguration(directory);
        FakeTimeProvider time = new(Start);
        InMemoryNetwork network = new(time);
        AddressRecorder addresses = new();
        Started started = await start(file, time, network, addresses);
        VrrpRuntime runtime = started.Runtime;
        try
        {
            // Alone on its network, each instance becomes MASTER (the sync group with it); then the file tracker fails
            // (priority 100 → 80); then a graceful stop.
            Advance(time, TimeSpan.FromSeconds(5));
            Assert.All(runtime.Routers, r => Assert.Equal(VrrpState.Master, r.State));
            await File.WriteAllTextAsync(Path.Combine(directory, "flag"), "1\n");
            await AdvanceUntilAsync(time, () => runtime.Routers.Single(r => r.Name == "web").EffectivePriority == 80, "the tracker lowered web to 80");
            Advance(time, TimeSpan.FromSeconds(2));
            await WaitForAsync(() => File.Exists(Path.Combine(directory, "notify.log"))
                && File.ReadAllLines(Path.Combine(directory, "notify.log")).Length >= 3, "the notify scripts ran");
            await WaitForAsync(() => File.Exists(Path.Combine(directory, "fifo.out"))
                && File.ReadAllLines(Path.Combine(directory, "fifo.out")).Length >= 4, "the FIFO lines arrived");

            Task stopping = started.StopAsync();
            for (int i = 0; i < 3000 && !stopping.IsCompleted; i++)
            {
                // The AWS action retries on this clock; the drain is bounded by it.
                time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Yield();
                await Task.Delay(1);
            }

            Assert.True(stopping.IsCompleted, "the runtime stopped");
            await stopping;

            return new Run(
                [.. started.Wiring.Select(l => l.Replace(directory, "DIR", StringComparison.Ordinal))],
                addresses.Events,
                [.. File.ReadAllLines(Path.Combine(directory, "notify.log")).Order(StringComparer.Ordinal)],
                [.. File.ReadAllLines(Path.Combine(directory, "fifo.out")).Order(StringComparer.Ordinal)]);
        }
        finally
        {
            await started.DisposeAsync();
        }
    }

    /// <summary>What <c>vrrp run</c> does with a file: load it, create the AWS actions of its "Aws" section, start the runtime.</summary>
    private static async Task<Started> StartVrrpRunAsync(string file, FakeTimeProvider time, InMemoryNetwork network, AddressRecorder addresses)
    {
        StringWriter problems = new();
        (RunCommand.Loaded? loaded, int exit) = await RunCommand.LoadAsync(new FileInfo(file), ignoreUnsupported: false, problems);
        Assert.True(loaded is not null, $"exit {exit}: {problems}");
        List<FloatingAddressAction> cloud = [.. loaded.Aws!.CreateActions(time, NullLoggerFactory.Instance)];
        VrrpRuntimeOptions options = RunCommand.RuntimeOptions(NullLoggerFactory.Instance, TimeSpan.FromSeconds(30), stateFile: null);
        options.Transports = new NetworkFactory(network);
        options.TimeProvider = time;
        options.LocalAddressActionFactory = addresses.Create;
        options.DefaultStateFile = null;
        VrrpRuntime runtime = new(options);
        await runtime.StartAsync(RunCommand.ToRuntimeConfiguration(loaded, cloud));
        return new Started(runtime, runtime.Describe(), () => runtime.StopAsync(), async () =>
        {
            await runtime.DisposeAsync();
            cloud.ForEach(a => a.Dispose());
        });
    }

    /// <summary>What a .NET service does: bind the file's "Vrrp" section with AddVrrp and its "Aws" section with AddAws.</summary>
    private static async Task<Started> StartAddVrrpAsync(string file, FakeTimeProvider time, InMemoryNetwork network, AddressRecorder addresses)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonFile(file).Build();
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IVrrpTransportFactory>(new NetworkFactory(network));
        services.AddVrrp(configuration.GetSection("Vrrp")).AddAws(configuration.GetSection("Aws").Get<AwsHostConfiguration>()!);
        ServiceProvider provider = services.BuildServiceProvider();
        VrrpHostedService service = provider.GetRequiredService<VrrpHostedService>();
        service.LocalAddressActionFactory = addresses.Create;
        await service.StartAsync(CancellationToken.None);
        VrrpRuntime runtime = service.Runtime!;
        return new Started(runtime, runtime.Describe(), () => service.StopAsync(CancellationToken.None), async () =>
        {
            await service.DisposeAsync();
            await provider.DisposeAsync();
        });
    }

    private static string WriteConfiguration(string directory)
    {
        string notify = Script(directory, "notify.sh", $"echo \"$@\" >> '{directory}/notify.log'");
        string fifoScript = Script(directory, "fifo.sh", $"exec cat \"$1\" >> '{directory}/fifo.out'");
        File.WriteAllText(Path.Combine(directory, "flag"), "0\n");
        string file = Path.Combine(directory, "vrrp.json");
        File.WriteAllText(file, $$"""
            {
              "Vrrp": {
                "StateFile": "{{directory}}/state.json",
                "NotifyFifo": "{{directory}}/notify.fifo",
                "NotifyFifoScript": "{{fifoScript}}",
                "Trackers": [ { "Name": "flag", "Kind": "File", "Path": "{{directory}}/flag", "Weight": -20 } ],
                "Instances": [
                  { "Name": "web", "VirtualRouterId": 51, "Version": 3, "UnicastSource": "192.0.2.1", "Interface": "eth0",
                    "Peers": [ { "Address": "192.0.2.2" } ], "NotifyPriorityChanges": true,
                    "VirtualAddresses": [ "192.0.2.100/24", "192.0.2.101/24 dev eth1 label eth1:vip" ],
                    "Trackers": [ { "Name": "flag" } ], "Notify": { "Generic": "{{notify}}" } },
                  { "Name": "db", "VirtualRouterId": 52, "Version": 3, "UnicastSource": "192.0.2.1", "Interface": "eth0",
                    "Peers": [ { "Address": "192.0.2.2" } ], "VirtualAddresses": [ "198.51.100.100/24" ] }
                ],
                "SyncGroups": [ { "Name": "g", "Instances": [ "web", "db" ], "TrackingWeight": true, "Notify": { "Generic": "{{notify}}" } } ]
              },
              "Aws": {
                "Failover": { "Region": "us-east-1", "ServiceUrl": "http://127.0.0.1:9", "MaxAttempts": 2, "Deadline": "00:00:02" },
                "Actions": [ { "Instance": "web", "ElasticIp": { "AllocationId": "eipalloc-1", "NetworkInterfaceId": "eni-1" } } ]
              }
            }
            """);
        return file;
    }

    private static string Script(string directory, string name, string body)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Advances in 10 ms steps, letting what the timers started (tracker reads, deliveries) catch up.</summary>
    private static void Advance(FakeTimeProvider time, TimeSpan duration)
    {
        for (TimeSpan done = TimeSpan.Zero; done < duration; done += TimeSpan.FromMilliseconds(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Advances 100 ms at a time, giving what runs off the clock (a tracker's file read) time to finish, until <paramref name="condition"/> holds.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition, string what)
    {
        using CancellationTokenSource timeout = new(Bound);
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting until {what}");
            Advance(time, TimeSpan.FromMilliseconds(100));
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using CancellationTokenSource timeout = new(Bound);
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting until {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private sealed record Run(string[] Wiring, string[] Events, string[] NotifyLines, string[] FifoLines);

    private sealed record Started(VrrpRuntime Runtime, IReadOnlyList<string> Wiring, Func<Task> StopAsync, Func<Task> DisposeAsync);

    private sealed class NetworkFactory(InMemoryNetwork network) : IVrrpTransportFactory
    {
        public IVrrpTransport Create(IPAddress localAddress, string? interfaceName) => network.GetOrAddNode(localAddress);
    }

    /// <summary>
    /// Stands in for <see cref="LocalAddressAction"/> (no interface to add to here) and records the events the first one
    /// made was given, in order: what every action of the runtime is given, since each sees every event.
    /// </summary>
    private sealed class AddressRecorder
    {
        private readonly ConcurrentQueue<string> _events = new();
        private readonly ConcurrentQueue<string> _names = new();

        public string[] Events => [.. _names, "--", .. _events];

        public IFailoverAction Create(LocalAddressActionOptions options)
        {
            bool first = _names.IsEmpty;
            _names.Enqueue(options.Name!);
            return new Action(options.Name!, first ? _events : null);
        }

        private sealed class Action(string name, ConcurrentQueue<string>? events) : IFailoverAction, IFailoverActionPolicy
        {
            public string Name { get; } = name;

            public string Lane => FailoverLanes.Address;

            public TimeSpan? TimeoutPerEvent => null;

            public Task OnEventAsync(FailoverEvent e, CancellationToken cancellationToken)
            {
                events?.Enqueue($"{e.Sequence} {e.Kind} {e.InstanceName} {e.EffectivePriority} {e.SyncGroupTransition?.GroupName}".TrimEnd());
                return Task.CompletedTask;
            }
        }
    }
}
