using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;

namespace Vrrp.Aws;

/// <summary>
/// An Elastic IP that follows the MASTER: <c>AssociateAddress</c> (with <c>AllowReassociation</c>) of the allocation to
/// this node's interface, checked and verified with <c>DescribeAddresses</c>. Works across availability zones.
/// </summary>
/// <remarks>IAM: <c>ec2:DescribeAddresses</c>, <c>ec2:AssociateAddress</c>.</remarks>
public sealed class ElasticIpAddress : IFloatingAddress
{
    private readonly FloatingAddressEngine _engine;

    /// <summary>Creates the mover; validates both option objects.</summary>
    /// <param name="ec2">The EC2 client, e.g. from <see cref="AwsEc2ClientFactory.Create"/>.</param>
    /// <param name="options">Which Elastic IP, and which interface and private address take it.</param>
    /// <param name="failover">Deadline and retry settings; null uses the defaults.</param>
    /// <param name="identity">Discovers the interface when <see cref="FloatingAddressOptions.NetworkInterfaceId"/> is not set.</param>
    /// <param name="timeProvider">The clock for deadlines, backoff and polling; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where progress is logged; null logs nothing.</param>
    /// <param name="random">The source of backoff jitter (seed it for reproducible runs); null uses <see cref="Random.Shared"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ElasticIpAddress(
        IAmazonEC2 ec2,
        ElasticIpOptions options,
        AwsFailoverOptions? failover = null,
        InstanceIdentityResolver? identity = null,
        TimeProvider? timeProvider = null,
        ILogger<ElasticIpAddress>? logger = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        ArgumentNullException.ThrowIfNull(options);
        var ops = new Operations(ec2, options.AllocationId, options.PrivateIpAddress);
        Name = ops.Name;
        _engine = new FloatingAddressEngine(ops, options, failover, identity, timeProvider, logger, random);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Task<FloatingAddressResult> EnsureHeldAsync(CancellationToken cancellationToken) => _engine.EnsureHeldAsync(cancellationToken);

    /// <inheritdoc />
    public Task<FloatingAddressState> CheckAsync(CancellationToken cancellationToken) => _engine.CheckAsync(cancellationToken);

    internal static AssociateAddressRequest BuildAssociate(string allocationId, string networkInterfaceId, string? privateIpAddress) => new()
    {
        AllocationId = allocationId,
        NetworkInterfaceId = networkInterfaceId,
        PrivateIpAddress = privateIpAddress,
        AllowReassociation = true,
    };

    internal static DescribeAddressesRequest BuildDescribe(string allocationId) => new() { AllocationIds = [allocationId] };

    /// <summary>Interprets a DescribeAddresses answer (null collections and values guarded).</summary>
    internal static FloatingAddressState Interpret(DescribeAddressesResponse? response, string allocationId, string networkInterfaceId, string? privateIpAddress)
    {
        Address? address = null;
        foreach (Address? candidate in response?.Addresses ?? [])
        {
            if (candidate is not null && string.Equals(candidate.AllocationId, allocationId, StringComparison.Ordinal))
            {
                address = candidate;
                break;
            }
        }

        if (address is null)
        {
            throw new PermanentFailureException($"EC2 does not know the Elastic IP allocation {allocationId} (DescribeAddresses returned no such address)");
        }

        string publicIp = string.IsNullOrEmpty(address.PublicIp) ? allocationId : address.PublicIp;
        string? holderEni = string.IsNullOrEmpty(address.NetworkInterfaceId) ? null : address.NetworkInterfaceId;
        string? holderIp = string.IsNullOrEmpty(address.PrivateIpAddress) ? null : address.PrivateIpAddress;
        if (holderEni is null)
        {
            string? instance = string.IsNullOrEmpty(address.InstanceId) ? null : address.InstanceId;
            return instance is null
                ? new(FloatingAddressHolder.Nobody, null, $"{publicIp} not associated")
                : new(FloatingAddressHolder.OtherNode, instance, $"{publicIp} associated with instance {instance}");
        }

        bool ours = string.Equals(holderEni, networkInterfaceId, StringComparison.Ordinal)
            && (privateIpAddress is null || string.Equals(holderIp, privateIpAddress, StringComparison.Ordinal));
        return new(
            ours ? FloatingAddressHolder.ThisNode : FloatingAddressHolder.OtherNode,
            holderEni,
            $"{publicIp} associated with {holderEni}" + (holderIp is null ? "" : $" ({holderIp})"));
    }

    private sealed class Operations(IAmazonEC2 ec2, string allocationId, string? privateIpAddress) : IAddressOperations
    {
        public string Mode => "elastic_ip";

        public string Name { get; } = $"Elastic IP {allocationId}";

        public async Task<Observation> ReadAsync(string networkInterfaceId, CancellationToken cancellationToken)
        {
            DescribeAddressesResponse response = await ec2.DescribeAddressesAsync(BuildDescribe(allocationId), cancellationToken).ConfigureAwait(false);
            return new Observation(Interpret(response, allocationId, networkInterfaceId, privateIpAddress));
        }

        public Task MoveAsync(string networkInterfaceId, Observation current, CancellationToken cancellationToken) =>
            ec2.AssociateAddressAsync(BuildAssociate(allocationId, networkInterfaceId, privateIpAddress), cancellationToken);
    }
}
