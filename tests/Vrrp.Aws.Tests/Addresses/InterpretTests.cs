using Amazon.EC2;
using Amazon.EC2.Model;

namespace Vrrp.Aws.Tests.Addresses;

/// <summary>SDK v4 answers with null collections and null values: every interpreter must cope.</summary>
public class InterpretTests
{
    [Fact]
    public void Elastic_ip_with_null_addresses_is_a_permanent_failure_naming_the_allocation()
    {
        var error = Assert.Throws<PermanentFailureException>(() => ElasticIpAddress.Interpret(new DescribeAddressesResponse(), "eipalloc-1", "eni-a", null));
        Assert.Contains("eipalloc-1", error.Message, StringComparison.Ordinal);
        Assert.Throws<PermanentFailureException>(() => ElasticIpAddress.Interpret(null, "eipalloc-1", "eni-a", null));
        Assert.Throws<PermanentFailureException>(() => ElasticIpAddress.Interpret(new DescribeAddressesResponse { Addresses = [null!] }, "eipalloc-1", "eni-a", null));
    }

    [Fact]
    public void Elastic_ip_holder_is_read_from_interface_and_private_ip()
    {
        static FloatingAddressState Read(string? eni, string? ip, string? instance = null, string? wantedIp = null) => ElasticIpAddress.Interpret(
            new DescribeAddressesResponse { Addresses = [new Address { AllocationId = "eipalloc-1", NetworkInterfaceId = eni, PrivateIpAddress = ip, InstanceId = instance }] },
            "eipalloc-1", "eni-a", wantedIp);

        Assert.Equal(FloatingAddressHolder.Nobody, Read(null, null).Holder);
        Assert.Equal(FloatingAddressHolder.Nobody, Read("", "").Holder);
        Assert.Equal(FloatingAddressHolder.OtherNode, Read(null, null, "i-1").Holder);
        Assert.Equal(FloatingAddressHolder.ThisNode, Read("eni-a", "10.0.0.5").Holder);
        Assert.Equal(FloatingAddressHolder.ThisNode, Read("eni-a", "10.0.0.6", wantedIp: "10.0.0.6").Holder);
        Assert.Equal(FloatingAddressHolder.OtherNode, Read("eni-a", "10.0.0.5", wantedIp: "10.0.0.6").Holder);
        Assert.Equal("eni-b", Read("eni-b", null).HolderId);
    }

    [Fact]
    public void Associate_request_always_allows_reassociation()
    {
        AssociateAddressRequest request = ElasticIpAddress.BuildAssociate("eipalloc-1", "eni-a", null);
        Assert.True(request.AllowReassociation);
        Assert.Null(request.PrivateIpAddress);
        Assert.Equal("eni-a", request.NetworkInterfaceId);
    }

    [Fact]
    public void Secondary_ip_with_null_collections()
    {
        Assert.Throws<PermanentFailureException>(() => SecondaryPrivateIpAddress.Interpret(new DescribeNetworkInterfacesResponse(), "10.0.0.9", "eni-a"));
        var noIps = new DescribeNetworkInterfacesResponse { NetworkInterfaces = [new NetworkInterface { NetworkInterfaceId = "eni-a" }] };
        Assert.Equal(FloatingAddressHolder.OtherNode, SecondaryPrivateIpAddress.Interpret(noIps, "10.0.0.9", "eni-a").Holder);
        var has = new DescribeNetworkInterfacesResponse
        {
            NetworkInterfaces = [new NetworkInterface { NetworkInterfaceId = "eni-a", PrivateIpAddresses = [null!, new NetworkInterfacePrivateIpAddress { PrivateIpAddress = "10.0.0.9" }] }],
        };
        Assert.Equal(FloatingAddressHolder.ThisNode, SecondaryPrivateIpAddress.Interpret(has, "10.0.0.9", "eni-a").Holder);
    }

    [Fact]
    public void Route_tables_with_null_routes_missing_routes_and_blackholes()
    {
        string[] tables = ["rtb-1", "rtb-2"];
        Assert.Throws<PermanentFailureException>(() => RouteTableAddress.Interpret(new DescribeRouteTablesResponse(), tables, "10.9.9.9/32", "eni-a"));

        var none = new DescribeRouteTablesResponse { RouteTables = [new RouteTable { RouteTableId = "rtb-1" }, new RouteTable { RouteTableId = "rtb-2", Routes = [] }] };
        Observation nobody = RouteTableAddress.Interpret(none, tables, "10.9.9.9/32", "eni-a");
        Assert.Equal(FloatingAddressHolder.Nobody, nobody.State.Holder);
        Assert.Equal(tables, nobody.Pending);

        var mixed = new DescribeRouteTablesResponse
        {
            RouteTables =
            [
                new RouteTable { RouteTableId = "rtb-1", Routes = [new Route { DestinationCidrBlock = "10.9.9.9/32", NetworkInterfaceId = "eni-a", State = RouteState.Blackhole }] },
                new RouteTable { RouteTableId = "rtb-2", Routes = [new Route { DestinationCidrBlock = "10.9.9.9/32", NetworkInterfaceId = "eni-a", State = RouteState.Active }] },
            ],
        };
        Observation blackhole = RouteTableAddress.Interpret(mixed, tables, "10.9.9.9/32", "eni-a");
        Assert.Equal(FloatingAddressHolder.OtherNode, blackhole.State.Holder);
        Assert.Equal(["rtb-1"], blackhole.Pending);

        mixed.RouteTables[0].Routes[0].State = null;
        Assert.Equal(FloatingAddressHolder.ThisNode, RouteTableAddress.Interpret(mixed, tables, "10.9.9.9/32", "eni-a").State.Holder);
    }
}
