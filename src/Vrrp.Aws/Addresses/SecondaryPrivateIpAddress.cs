using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;

namespace Vrrp.Aws;

/// <summary>
/// A secondary private IP that follows the MASTER: <c>AssignPrivateIpAddresses</c> with <c>AllowReassignment</c> to this
/// node's interface, checked and verified with <c>DescribeNetworkInterfaces</c>. Same subnet, so same availability zone,
/// only; the operating system must also carry the address on its interface.
/// </summary>
/// <remarks>IAM: <c>ec2:DescribeNetworkInterfaces</c>, <c>ec2:AssignPrivateIpAddresses</c>.</remarks>
public sealed class SecondaryPrivateIpAddress : IFloatingAddress
{
    private readonly FloatingAddressEngine _engine;

    /// <summary>Creates the mover; validates both option objects.</summary>
    /// <param name="ec2">The EC2 client, e.g. from <see cref="AwsEc2ClientFactory.Create"/>.</param>
    /// <param name="options">Which private address, and which interface takes it.</param>
    /// <param name="failover">Deadline and retry settings; null uses the defaults.</param>
    /// <param name="identity">Discovers the interface when <see cref="FloatingAddressOptions.NetworkInterfaceId"/> is not set.</param>
    /// <param name="timeProvider">The clock for deadlines, backoff and polling; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where progress is logged; null logs nothing.</param>
    /// <param name="random">The source of backoff jitter (seed it for reproducible runs); null uses <see cref="Random.Shared"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SecondaryPrivateIpAddress(
        IAmazonEC2 ec2,
        SecondaryPrivateIpOptions options,
        AwsFailoverOptions? failover = null,
        InstanceIdentityResolver? identity = null,
        TimeProvider? timeProvider = null,
        ILogger<SecondaryPrivateIpAddress>? logger = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        ArgumentNullException.ThrowIfNull(options);
        var ops = new Operations(ec2, options.PrivateIpAddress);
        Name = ops.Name;
        _engine = new FloatingAddressEngine(ops, options, failover, identity, timeProvider, logger, random);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Task<FloatingAddressResult> EnsureHeldAsync(CancellationToken cancellationToken) => _engine.EnsureHeldAsync(cancellationToken);

    /// <inheritdoc />
    public Task<FloatingAddressState> CheckAsync(CancellationToken cancellationToken) => _engine.CheckAsync(cancellationToken);

    /// <summary>Interprets a DescribeNetworkInterfaces answer for our interface (null collections guarded).</summary>
    internal static FloatingAddressState Interpret(DescribeNetworkInterfacesResponse? response, string privateIpAddress, string networkInterfaceId)
    {
        NetworkInterface? ours = null;
        foreach (NetworkInterface? candidate in response?.NetworkInterfaces ?? [])
        {
            if (candidate is not null && string.Equals(candidate.NetworkInterfaceId, networkInterfaceId, StringComparison.Ordinal))
            {
                ours = candidate;
                break;
            }
        }

        if (ours is null)
        {
            throw new PermanentFailureException($"EC2 does not know the network interface {networkInterfaceId} (DescribeNetworkInterfaces returned no such interface)");
        }

        foreach (NetworkInterfacePrivateIpAddress? assigned in ours.PrivateIpAddresses ?? [])
        {
            if (assigned is not null && string.Equals(assigned.PrivateIpAddress, privateIpAddress, StringComparison.Ordinal))
            {
                return new(FloatingAddressHolder.ThisNode, networkInterfaceId, $"{privateIpAddress} assigned to {networkInterfaceId}");
            }
        }

        return new(FloatingAddressHolder.OtherNode, null, $"{privateIpAddress} not assigned to {networkInterfaceId}");
    }

    private sealed class Operations(IAmazonEC2 ec2, string privateIpAddress) : IAddressOperations
    {
        public string Mode => "secondary_ip";

        public string Name { get; } = $"secondary private IP {privateIpAddress}";

        public async Task<Observation> ReadAsync(string networkInterfaceId, CancellationToken cancellationToken)
        {
            var request = new DescribeNetworkInterfacesRequest { NetworkInterfaceIds = [networkInterfaceId] };
            DescribeNetworkInterfacesResponse response = await ec2.DescribeNetworkInterfacesAsync(request, cancellationToken).ConfigureAwait(false);
            return new Observation(Interpret(response, privateIpAddress, networkInterfaceId));
        }

        public Task MoveAsync(string networkInterfaceId, Observation current, CancellationToken cancellationToken) =>
            ec2.AssignPrivateIpAddressesAsync(
                new AssignPrivateIpAddressesRequest
                {
                    NetworkInterfaceId = networkInterfaceId,
                    PrivateIpAddresses = [privateIpAddress],
                    AllowReassignment = true,
                },
                cancellationToken);
    }
}
