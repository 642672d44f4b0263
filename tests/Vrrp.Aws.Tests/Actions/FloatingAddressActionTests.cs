using System.Diagnostics;
using System.Net;
using Amazon.EC2;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Aws.Tests.Infrastructure;
using Vrrp.Transports;

namespace Vrrp.Aws.Tests.Actions;

/// <summary>The action against the loopback fake EC2 (throttling on demand), with routers on the in-memory network.</summary>
public sealed class FloatingAddressActionTests : IDisposable
{
    private const string Allocation = "eipalloc-0action";
    private static readonly IPAddress IpA = IPAddress.Parse("10.18.16.11");
    private static readonly IPAddress IpB = IPAddress.Parse("10.18.18.11");
    private readonly FakeEc2Endpoint _fake = new();
    private readonly AmazonEC2Client _ec2;

    // The SDK's first call in a process (JIT of the client, signer and unmarshallers) can take longer than the 400 ms
    // deadline on a loaded 2-core machine: make it once, against a fake of its own, so no test's counts see it.
    private static readonly Lazy<bool> s_sdkWarmedUp = new(() =>
    {
        using FakeEc2Endpoint fake = new();
        using AmazonEC2Client ec2 = Ec2Clients.For(fake.ServiceUrl);
        fake.AddAddress(Allocation);
        _ = ec2.DescribeAddressesAsync(new Amazon.EC2.Model.DescribeAddressesRequest { AllocationIds = [Allocation] }).GetAwaiter().GetResult();
        _ = ec2.AssociateAddressAsync(new Amazon.EC2.Model.AssociateAddressRequest { AllocationId = Allocation, NetworkInterfaceId = "eni-warm" }).GetAwaiter().GetResult();
        return true;
    });

    public FloatingAddressActionTests()
    {
        _ = s_sdkWarmedUp.Value;
        _ec2 = Ec2Clients.For(_fake.ServiceUrl);
    }

    private static AwsFailoverOptions Failover => new()
    {
        Deadline = TimeSpan.FromMilliseconds(400),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(80),
        MaxAttempts = 10,
    };

    public void Dispose()
    {
        _ec2.Dispose();
        _fake.Dispose();
    }

    internal static FailoverEvent Event(FailoverEventKind kind, long sequence = 1) =>
        new(sequence, kind, "haproxy-vip", 100, DateTimeOffset.UnixEpoch, null, null);

    private ElasticIpAddress Eip(string eni) =>
        new(_ec2, new ElasticIpOptions { AllocationId = Allocation, NetworkInterfaceId = eni, VerifyPollInterval = TimeSpan.FromMilliseconds(20) }, Failover);

    [Fact]
    public async Task Throttled_master_keeps_advertising_reports_the_failure_and_retries_in_the_background_until_held()
    {
        _fake.AddAddress(Allocation, "eni-b");
        _fake.Enqueue([.. Enumerable.Repeat<Fault>(new Fault.Throttle(), 40)]);
        // 500 ms adverts: Master_Down_Interval 1.8 s, so a loaded CI machine's scheduling hiccups cannot look like a dead master.
        TimeSpan interval = TimeSpan.FromMilliseconds(500);
        var network = new InMemoryNetwork(TimeProvider.System);
        var retry = new FloatingAddressActionOptions { RetryInitialBackoff = TimeSpan.FromMilliseconds(100), RetryMaxBackoff = TimeSpan.FromMilliseconds(200) };
        await using var a = new ActionNode(network, "A", IpA, IpB, 200, interval, () => Eip("eni-a"), retry, TimeSpan.FromSeconds(2));
        await using var b = new ActionNode(network, "B", IpB, IpA, 100, interval, () => Eip("eni-b"), retry, TimeSpan.FromSeconds(2));
        a.Boot();
        await ActionNode.UntilAsync(() => a.IsMaster, TimeSpan.FromSeconds(5), a.ToString);
        b.Boot(); // after A is MASTER, so B's start-up cannot win a first election against a still-JITting A
        long sentAtMaster = a.AdvertsSent;
        var watch = Stopwatch.StartNew();
        await ActionNode.UntilAsync(() => a.Action!.GetStatistics() is { Successes: > 0, RetryPending: false }, TimeSpan.FromSeconds(30), a.ToString);
        TimeSpan elapsed = watch.Elapsed;
        long sent = a.AdvertsSent - sentAtMaster;

        Assert.Equal("eni-a", _fake.HolderOf(Allocation));
        FloatingAddressActionStatistics stats = a.Action!.GetStatistics();
        Assert.True(stats.Failures >= 1 && stats.BackgroundRetries >= 1, stats.ToString());
        Assert.True(_fake.Calls("DescribeAddresses") >= 40, $"{_fake.Calls("DescribeAddresses")} describes");

        // The router never waited for EC2: it advertised at its interval throughout, and B never saw it go quiet.
        Assert.True(elapsed > TimeSpan.FromSeconds(1), $"throttling lasted only {elapsed}");
        double expected = elapsed / interval;
        Assert.True(sent >= (expected * 0.7) - 2, $"{sent} adverts in {elapsed.TotalMilliseconds:F0} ms at {interval.TotalMilliseconds} ms");
        Assert.Equal(0, b.Router!.GetStatistics().BecomeMaster);
        Assert.True(a.IsMaster);

        // The failure surfaced on the pipeline's event stream as the action's failure.
        FailoverActionCompleted failed = Assert.Single(a.Notifications.OfType<FailoverActionCompleted>(), n => n.Event.Kind == FailoverEventKind.Master);
        Assert.Equal(FailoverActionResult.Failed, failed.Result);
        FloatingAddressException error = Assert.IsType<FloatingAddressException>(failed.Error);
        Assert.Contains("RequestLimitExceeded", error.Result.Reason, StringComparison.Ordinal);
        Assert.Equal(1, a.Pipeline!.GetStatistics()[0].Failures);
    }

    [Fact]
    public async Task Recheck_takes_the_address_back_while_master_and_stops_after_leaving_master()
    {
        _fake.AddAddress(Allocation);
        var time = new FakeTimeProvider();
        TimeSpan recheck = TimeSpan.FromSeconds(10);
        await using var action = new FloatingAddressAction(Eip("eni-a"), new FloatingAddressActionOptions { RecheckInterval = recheck }, time);

        await action.OnEventAsync(Event(FailoverEventKind.Master), CancellationToken.None);
        Assert.Equal("eni-a", _fake.HolderOf(Allocation));

        _fake.AddAddress(Allocation, "eni-b"); // someone else moves it while we are MASTER
        await ActionNode.UntilAsync(
            async () =>
            {
                time.Advance(recheck);
                await Task.Delay(50);
                return _fake.HolderOf(Allocation) == "eni-a";
            },
            TimeSpan.FromSeconds(15),
            () => $"{action.GetStatistics()}");
        FloatingAddressActionStatistics stats = action.GetStatistics();
        Assert.True(stats.Rechecks >= 1 && stats.RecheckTakeovers == 1, stats.ToString());

        await action.OnEventAsync(Event(FailoverEventKind.Backup, 2), CancellationToken.None);
        _fake.AddAddress(Allocation, "eni-b");
        int describes = _fake.Calls("DescribeAddresses");
        for (int i = 0; i < 5; i++)
        {
            time.Advance(recheck);
            await Task.Delay(30);
        }

        Assert.Equal("eni-b", _fake.HolderOf(Allocation));
        Assert.Equal(describes, _fake.Calls("DescribeAddresses"));
        Assert.False(action.GetStatistics().IsMaster);
    }

    [Fact]
    public async Task Master_heard_lower_priority_ensures_again()
    {
        _fake.AddAddress(Allocation);
        await using var action = new FloatingAddressAction(Eip("eni-a"));
        await action.OnEventAsync(Event(FailoverEventKind.Master), CancellationToken.None);
        _fake.AddAddress(Allocation, "eni-b"); // a briefly-master peer took it
        int associates = _fake.Calls("AssociateAddress");

        await action.OnEventAsync(Event(FailoverEventKind.MasterHeardLowerPriority, 2), CancellationToken.None);

        Assert.Equal("eni-a", _fake.HolderOf(Allocation));
        Assert.Equal(associates + 1, _fake.Calls("AssociateAddress"));
        Assert.Equal(2, action.GetStatistics().Successes);
    }

    [Fact]
    public async Task After_a_split_brain_heals_the_higher_master_hears_the_lower_one_and_takes_the_address_back()
    {
        _fake.AddAddress(Allocation);
        TimeSpan interval = TimeSpan.FromMilliseconds(100);
        var network = new InMemoryNetwork(TimeProvider.System);
        await using var a = new ActionNode(network, "A", IpA, IpB, 200, interval, () => Eip("eni-a"));
        await using var b = new ActionNode(network, "B", IpB, IpA, 100, interval, () => Eip("eni-b"));
        a.Boot();
        b.Boot();
        await ActionNode.UntilAsync(() => a.IsMaster && _fake.HolderOf(Allocation) == "eni-a", TimeSpan.FromSeconds(5), a.ToString);

        network.Partition(a.Transport, b.Transport);
        network.Partition(b.Transport, a.Transport);
        await ActionNode.UntilAsync(() => b.IsMaster && _fake.HolderOf(Allocation) == "eni-b", TimeSpan.FromSeconds(5), b.ToString);

        // Heal B→A first, so that A surely hears B's lower-priority advert (healing both ways at once lets A's advert
        // reach B first half of the time, and then B steps down silently).
        network.Heal(b.Transport, a.Transport);
        await ActionNode.UntilAsync(
            () => a.Notifications.OfType<FailoverActionCompleted>().Any(n => n.Event.Kind == FailoverEventKind.MasterHeardLowerPriority && n.Result == FailoverActionResult.Succeeded),
            TimeSpan.FromSeconds(5),
            a.ToString);
        Assert.Equal("eni-a", _fake.HolderOf(Allocation));
        network.HealAll();
        await ActionNode.UntilAsync(() => !b.IsMaster, TimeSpan.FromSeconds(5), b.ToString);
        Assert.Equal("eni-a", _fake.HolderOf(Allocation));
    }

    [Fact]
    public async Task Backup_fault_and_stop_make_no_api_call()
    {
        _fake.AddAddress(Allocation, "eni-b");
        await using var action = new FloatingAddressAction(Eip("eni-a"));
        foreach (FailoverEventKind kind in new[] { FailoverEventKind.Backup, FailoverEventKind.Fault, FailoverEventKind.Stop })
        {
            await action.OnEventAsync(Event(kind), CancellationToken.None);
        }

        Assert.Equal(0, _fake.Calls("DescribeAddresses") + _fake.Calls("AssociateAddress"));
        Assert.Equal("eni-b", _fake.HolderOf(Allocation));
        Assert.Equal(0, action.GetStatistics().Attempts);
    }

    [Fact]
    public async Task A_superseded_master_event_leaves_the_address_to_the_real_master()
    {
        _fake.AddAddress(Allocation, "eni-b");
        await using var action = new FloatingAddressAction(Eip("eni-a"));

        await action.OnEventAsync(Event(FailoverEventKind.Master) with { IsSuperseded = true }, CancellationToken.None);

        Assert.Equal(0, _fake.Calls("DescribeAddresses") + _fake.Calls("AssociateAddress"));
        Assert.Equal("eni-b", _fake.HolderOf(Allocation));
        Assert.False(action.GetStatistics().IsMaster);
        await action.OnEventAsync(Event(FailoverEventKind.Master, 2), CancellationToken.None);
        Assert.Equal("eni-a", _fake.HolderOf(Allocation));
    }

    [Fact]
    public async Task Events_of_another_instance_are_ignored()
    {
        _fake.AddAddress(Allocation, "eni-b");
        await using var action = new FloatingAddressAction(Eip("eni-a"), new FloatingAddressActionOptions { InstanceName = "other" });
        await action.OnEventAsync(Event(FailoverEventKind.Master), CancellationToken.None);
        Assert.Equal("eni-b", _fake.HolderOf(Allocation));
        Assert.False(action.IsMaster);
    }

    [Fact]
    public void Factory_builds_each_mode_and_validation_names_the_field()
    {
        Assert.IsType<ElasticIpAddress>(FloatingAddressActionFactory.CreateAddress(_ec2, new ElasticIpOptions { AllocationId = Allocation, NetworkInterfaceId = "eni-a" }));
        Assert.IsType<SecondaryPrivateIpAddress>(FloatingAddressActionFactory.CreateAddress(_ec2, new SecondaryPrivateIpOptions { PrivateIpAddress = "10.18.16.50", NetworkInterfaceId = "eni-a" }));
        var routes = new RouteTableOptions { DestinationCidrBlock = "192.168.100.1", NetworkInterfaceId = "eni-a" };
        routes.RouteTableIds.Add("rtb-aaa");
        Assert.IsType<RouteTableAddress>(FloatingAddressActionFactory.CreateAddress(_ec2, routes));

        using FloatingAddressAction action = FloatingAddressActionFactory.Create(_ec2, new ElasticIpOptions { AllocationId = Allocation, NetworkInterfaceId = "eni-a" });
        Assert.Equal($"aws:{action.Address.Name}", action.Name);
        Assert.Equal(TimeSpan.FromSeconds(35), FloatingAddressActionFactory.RecommendedActionTimeout(new AwsFailoverOptions()));

        // The owning overload validates everything before it creates a client.
        ArgumentException bad = Assert.Throws<ArgumentException>(() => FloatingAddressActionFactory.CreateWithOwnClient(new AwsFailoverOptions(), new ElasticIpOptions { AllocationId = "alloc-1" }));
        Assert.Equal(nameof(ElasticIpOptions.AllocationId), bad.ParamName);
        bad = Assert.Throws<ArgumentException>(() => new FloatingAddressActionOptions { RecheckInterval = TimeSpan.Zero }.Validate());
        Assert.Equal(nameof(FloatingAddressActionOptions.RecheckInterval), bad.ParamName);
        bad = Assert.Throws<ArgumentException>(() => new FloatingAddressActionOptions { RetryMaxBackoff = TimeSpan.FromMilliseconds(1) }.Validate());
        Assert.Equal(nameof(FloatingAddressActionOptions.RetryMaxBackoff), bad.ParamName);
    }
}
