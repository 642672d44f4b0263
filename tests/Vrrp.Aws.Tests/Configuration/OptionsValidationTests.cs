namespace Vrrp.Aws.Tests.Configuration;

public class OptionsValidationTests
{
    [Theory]
    [InlineData("", null, null, "AllocationId")]
    [InlineData("alloc-1", null, null, "AllocationId")]
    [InlineData("eipalloc-1", "i-123", null, "NetworkInterfaceId")]
    [InlineData("eipalloc-1", "eni-1", "10.0.0.300", "PrivateIpAddress")]
    [InlineData("eipalloc-1", "eni-1", "fe80::1", "PrivateIpAddress")]
    public void Elastic_ip_names_the_bad_field(string allocation, string? eni, string? privateIp, string field)
    {
        var options = new ElasticIpOptions { AllocationId = allocation, NetworkInterfaceId = eni, PrivateIpAddress = privateIp };
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith($"ElasticIpOptions.{field} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass()
    {
        new ElasticIpOptions { AllocationId = "eipalloc-39abc", NetworkInterfaceId = "eni-2dabc", PrivateIpAddress = "10.18.16.50" }.Validate();
        new SecondaryPrivateIpOptions { PrivateIpAddress = "10.18.16.50" }.Validate();
        var routes = new RouteTableOptions { DestinationCidrBlock = "10.15.85.31" };
        routes.RouteTableIds.Add("rtb-1");
        routes.Validate();
        Assert.Equal("10.15.85.31/32", routes.NormalizedDestination);
        new AwsFailoverOptions { ServiceUrl = "http://127.0.0.1:5000" }.Validate();
        new InstanceIdentityOptions().Validate();
    }

    [Fact]
    public void Route_table_names_the_bad_field()
    {
        var options = new RouteTableOptions { DestinationCidrBlock = "10.0.0.1/32" };
        Assert.Equal("RouteTableIds", Assert.ThrowsAny<ArgumentException>(options.Validate).ParamName);
        options.RouteTableIds.Add("rtb-1");
        options.RouteTableIds.Add("table-2");
        Assert.Equal("RouteTableIds[1]", Assert.ThrowsAny<ArgumentException>(options.Validate).ParamName);
        options.RouteTableIds[1] = "rtb-2";
        options.DestinationCidrBlock = "10.0.0.1/33";
        Assert.Equal("DestinationCidrBlock", Assert.ThrowsAny<ArgumentException>(options.Validate).ParamName);
    }

    [Theory]
    [InlineData("Deadline")]
    [InlineData("MaxAttempts")]
    [InlineData("MaxBackoff")]
    [InlineData("JitterFraction")]
    [InlineData("ServiceUrl")]
    [InlineData("SdkMaxErrorRetry")]
    public void Failover_names_the_bad_field(string field)
    {
        var options = new AwsFailoverOptions();
        switch (field)
        {
            case "Deadline": options.Deadline = TimeSpan.Zero; break;
            case "MaxAttempts": options.MaxAttempts = 0; break;
            case "MaxBackoff": options.MaxBackoff = TimeSpan.FromMilliseconds(1); break;
            case "JitterFraction": options.JitterFraction = 1.5; break;
            case "ServiceUrl": options.ServiceUrl = "ftp://x"; break;
            case "SdkMaxErrorRetry": options.SdkMaxErrorRetry = -1; break;
        }

        ArgumentException error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.Contains($"AwsFailoverOptions.{field}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mover_without_interface_or_resolver_says_what_to_set()
    {
        using var client = Infrastructure.Ec2Clients.For("http://127.0.0.1:9");
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => new ElasticIpAddress(client, new ElasticIpOptions { AllocationId = "eipalloc-1" }));
        Assert.Contains("ElasticIpOptions.NetworkInterfaceId is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_options_name_the_bad_field()
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => new InstanceIdentityOptions { ImdsTokenTimeout = TimeSpan.Zero }.Validate());
        Assert.Equal("ImdsTokenTimeout", error.ParamName);
    }
}
