using System.Diagnostics;
using Vrrp.Aws.Tests.Infrastructure;

namespace Vrrp.Aws.Tests.Identity;

[Collection(TimingSensitive.Name)]
public sealed class InstanceIdentityResolverTests
{
    [Fact]
    public async Task Imdsv2_discovers_instance_and_interface_and_caches_them()
    {
        using var imds = new FakeImds();
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { ImdsBaseAddress = imds.BaseAddress });

        InstanceIdentity identity = await resolver.ResolveAsync(CancellationToken.None);
        int requests = imds.Requests.Count;
        InstanceIdentity again = await resolver.ResolveAsync(CancellationToken.None);

        Assert.Equal(new InstanceIdentity(FakeImds.InstanceId, FakeImds.Eni, "IMDSv2"), identity);
        Assert.Same(identity, again);
        Assert.Equal(4, requests);
        Assert.Equal(requests, imds.Requests.Count);
        Assert.Equal("PUT /latest/api/token", imds.Requests.First());
    }

    [Fact]
    public async Task Dropped_token_request_fails_within_the_short_timeout_and_names_the_hop_limit()
    {
        using var imds = new FakeImds(dropTokenRequest: true);
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { ImdsBaseAddress = imds.BaseAddress });

        var watch = Stopwatch.StartNew();
        InstanceIdentityException error = await Assert.ThrowsAsync<InstanceIdentityException>(() => resolver.ResolveAsync(CancellationToken.None));
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Contains($"PUT {imds.BaseAddress}latest/api/token", error.Message, StringComparison.Ordinal);
        Assert.Contains("hop limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("NetworkInterfaceId is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_interface_path_is_a_clear_error()
    {
        using var imds = new FakeImds(missingInterfacePath: true);
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { ImdsBaseAddress = imds.BaseAddress });

        InstanceIdentityException error = await Assert.ThrowsAsync<InstanceIdentityException>(() => resolver.ResolveAsync(CancellationToken.None));

        Assert.Contains($"network/interfaces/macs/{FakeImds.Mac}/interface-id", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_interface_needs_no_imds()
    {
        using var imds = new FakeImds();
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { NetworkInterfaceId = "eni-0configured", ImdsBaseAddress = imds.BaseAddress });

        InstanceIdentity identity = await resolver.ResolveAsync(CancellationToken.None);

        Assert.Equal(new InstanceIdentity(null, "eni-0configured", "configuration"), identity);
        Assert.Empty(imds.Requests);
    }

    [Fact]
    public async Task Imds_off_and_nothing_configured_says_what_to_set()
    {
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { UseImds = false });

        InstanceIdentityException error = await Assert.ThrowsAsync<InstanceIdentityException>(() => resolver.ResolveAsync(CancellationToken.None));

        Assert.Contains("UseImds = false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mover_discovers_its_interface_through_imds()
    {
        using var imds = new FakeImds();
        using var ec2 = new FakeEc2Endpoint();
        ec2.AddAddress("eipalloc-0imds");
        using var client = Ec2Clients.For(ec2.ServiceUrl);
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { ImdsBaseAddress = imds.BaseAddress });
        var eip = new ElasticIpAddress(client, new ElasticIpOptions { AllocationId = "eipalloc-0imds" }, Ec2Clients.Fast(TimeSpan.FromSeconds(5)), resolver);

        FloatingAddressResult result = await eip.EnsureHeldAsync(CancellationToken.None);

        Assert.Equal(FloatingAddressOutcome.Moved, result.Outcome);
        Assert.Equal(FakeImds.Eni, ec2.HolderOf("eipalloc-0imds"));
    }

    [Fact]
    public async Task Mover_reports_failed_discovery_as_a_result_not_an_exception()
    {
        using var imds = new FakeImds(dropTokenRequest: true);
        using var ec2 = new FakeEc2Endpoint();
        ec2.AddAddress("eipalloc-0imds");
        using var client = Ec2Clients.For(ec2.ServiceUrl);
        using var resolver = new InstanceIdentityResolver(new InstanceIdentityOptions { ImdsBaseAddress = imds.BaseAddress });
        var eip = new ElasticIpAddress(client, new ElasticIpOptions { AllocationId = "eipalloc-0imds" }, Ec2Clients.Fast(TimeSpan.FromSeconds(5)), resolver);

        FloatingAddressResult result = await eip.EnsureHeldAsync(CancellationToken.None);

        Assert.Equal(FloatingAddressOutcome.Failed, result.Outcome);
        Assert.Contains("IMDSv2", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, ec2.Calls("AssociateAddress"));
    }
}
