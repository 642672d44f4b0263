using Microsoft.Extensions.DependencyInjection;
using Vrrp.Actions;
using Vrrp.Hosting;
using Vrrp.Transports;

namespace Vrrp.Aws.Tests.Hosting;

/// <summary><c>services.AddVrrp(...).AddElasticIp(...)</c>: the reference deployment's vrrp.sh as one registration.</summary>
public class AddElasticIpTests
{
    static AddElasticIpTests()
    {
        // The action's EC2 client uses the SDK's default credential chain: give it the environment's, and never let
        // it reach for instance metadata (169.254.169.254) from a test.
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
    }

    [Fact]
    public void The_action_is_registered_and_built_with_the_given_options()
    {
        ServiceCollection services = new();
        services.AddVrrp(o => o.Instances.Add(new VrrpInstanceOptions { Name = "haproxy-vip", VirtualRouterId = 47, UnicastSource = "192.0.2.1", Peers = [new() { Address = "192.0.2.2" }] }))
            .UseInMemoryNetwork(new InMemoryNetwork(TimeProvider.System))
            .AddElasticIp(
                o => { o.AllocationId = "eipalloc-39aaaaaa"; o.NetworkInterfaceId = "eni-2daaaaaa"; },
                failover => { failover.ServiceUrl = "http://127.0.0.1:9"; failover.Region = "us-east-1"; },
                action => action.InstanceName = "haproxy-vip");
        using ServiceProvider provider = services.BuildServiceProvider();

        FloatingAddressAction action = Assert.IsType<FloatingAddressAction>(Assert.Single(provider.GetServices<IFailoverAction>()));

        Assert.IsType<ElasticIpAddress>(action.Address);
        Assert.False(action.IsMaster);
    }

    [Fact]
    public void Invalid_options_fail_at_registration_naming_the_field()
    {
        ServiceCollection services = new();
        IVrrpBuilder builder = services.AddVrrp(_ => { });

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => builder.AddElasticIp(o => o.AllocationId = ""));

        Assert.Contains("AllocationId", e.Message, StringComparison.Ordinal);
    }
}
