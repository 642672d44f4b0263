using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Aws;

/// <summary>
/// An overlay IP that follows the MASTER: in each configured route table, the route to the destination (/32) points at
/// this node's interface (<c>ReplaceRoute</c>, or <c>CreateRoute</c> when the route does not exist yet), checked and
/// verified with <c>DescribeRouteTables</c>. Works across availability zones inside one VPC; the interfaces need
/// source/destination checking off and the operating system must carry the address.
/// </summary>
/// <remarks>IAM: <c>ec2:DescribeRouteTables</c>, <c>ec2:ReplaceRoute</c>, <c>ec2:CreateRoute</c>.</remarks>
public sealed class RouteTableAddress : IFloatingAddress
{
    private readonly FloatingAddressEngine _engine;

    /// <summary>Creates the mover; validates both option objects.</summary>
    /// <param name="ec2">The EC2 client, e.g. from <see cref="AwsEc2ClientFactory.Create"/>.</param>
    /// <param name="options">Which route tables and destination, and which interface is the target.</param>
    /// <param name="failover">Deadline and retry settings; null uses the defaults.</param>
    /// <param name="identity">Discovers the interface when <see cref="FloatingAddressOptions.NetworkInterfaceId"/> is not set.</param>
    /// <param name="timeProvider">The clock for deadlines, backoff and polling; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where progress is logged; null logs nothing.</param>
    /// <param name="random">The source of backoff jitter (seed it for reproducible runs); null uses <see cref="Random.Shared"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RouteTableAddress(
        IAmazonEC2 ec2,
        RouteTableOptions options,
        AwsFailoverOptions? failover = null,
        InstanceIdentityResolver? identity = null,
        TimeProvider? timeProvider = null,
        ILogger<RouteTableAddress>? logger = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var ops = new Operations(ec2, [.. options.RouteTableIds], options.NormalizedDestination, logger ?? (ILogger)NullLogger.Instance);
        Name = ops.Name;
        _engine = new FloatingAddressEngine(ops, options, failover, identity, timeProvider, logger, random);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Task<FloatingAddressResult> EnsureHeldAsync(CancellationToken cancellationToken) => _engine.EnsureHeldAsync(cancellationToken);

    /// <inheritdoc />
    public Task<FloatingAddressState> CheckAsync(CancellationToken cancellationToken) => _engine.CheckAsync(cancellationToken);

    /// <summary>Interprets a DescribeRouteTables answer: which tables do not yet route the destination to us (null collections guarded).</summary>
    internal static Observation Interpret(DescribeRouteTablesResponse? response, IReadOnlyList<string> routeTableIds, string destination, string networkInterfaceId)
    {
        var pending = new List<string>();
        var holders = new List<string>();
        bool anyMissing = false;
        foreach (string tableId in routeTableIds)
        {
            RouteTable? table = null;
            foreach (RouteTable? candidate in response?.RouteTables ?? [])
            {
                if (candidate is not null && string.Equals(candidate.RouteTableId, tableId, StringComparison.Ordinal))
                {
                    table = candidate;
                    break;
                }
            }

            if (table is null)
            {
                throw new PermanentFailureException($"EC2 does not know the route table {tableId} (DescribeRouteTables returned no such table)");
            }

            Route? route = null;
            foreach (Route? candidate in table.Routes ?? [])
            {
                if (candidate is not null && string.Equals(candidate.DestinationCidrBlock, destination, StringComparison.Ordinal))
                {
                    route = candidate;
                    break;
                }
            }

            string? target = route is null || string.IsNullOrEmpty(route.NetworkInterfaceId) ? null : route.NetworkInterfaceId;
            bool blackhole = route?.State is { } state && state == RouteState.Blackhole;
            if (target is null)
            {
                anyMissing |= route is null;
                pending.Add(tableId);
                holders.Add(route is null ? $"{tableId}: no route" : $"{tableId}: not via an interface");
            }
            else if (!string.Equals(target, networkInterfaceId, StringComparison.Ordinal) || blackhole)
            {
                pending.Add(tableId);
                holders.Add($"{tableId}: {target}" + (blackhole ? " (blackhole)" : ""));
            }
        }

        if (pending.Count == 0)
        {
            return new(new(FloatingAddressHolder.ThisNode, networkInterfaceId, $"{destination} routed to {networkInterfaceId} in {routeTableIds.Count} table(s)"));
        }

        FloatingAddressHolder holder = anyMissing && pending.Count == routeTableIds.Count ? FloatingAddressHolder.Nobody : FloatingAddressHolder.OtherNode;
        return new(new(holder, null, $"{destination} not routed to {networkInterfaceId} in {string.Join(", ", holders)}"), pending);
    }

    private sealed class Operations(IAmazonEC2 ec2, string[] routeTableIds, string destination, ILogger logger) : IAddressOperations
    {
        public string Mode => "route_table";

        public string Name { get; } = $"overlay route {destination}";

        public async Task<Observation> ReadAsync(string networkInterfaceId, CancellationToken cancellationToken)
        {
            var request = new DescribeRouteTablesRequest { RouteTableIds = [.. routeTableIds] };
            DescribeRouteTablesResponse response = await ec2.DescribeRouteTablesAsync(request, cancellationToken).ConfigureAwait(false);
            return Interpret(response, routeTableIds, destination, networkInterfaceId);
        }

        public async Task MoveAsync(string networkInterfaceId, Observation current, CancellationToken cancellationToken)
        {
            foreach (string tableId in current.Pending ?? routeTableIds)
            {
                try
                {
                    await ReplaceAsync(tableId, networkInterfaceId, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonEC2Exception ex) when (ex.ErrorCode is "InvalidParameterValue" or "InvalidRoute.NotFound")
                {
                    Log.CreatingRoute(logger, Name, tableId, destination);
                    try
                    {
                        await ec2.CreateRouteAsync(
                            new CreateRouteRequest { RouteTableId = tableId, DestinationCidrBlock = destination, NetworkInterfaceId = networkInterfaceId },
                            cancellationToken).ConfigureAwait(false);
                    }
                    catch (AmazonEC2Exception race) when (race.ErrorCode == "RouteAlreadyExists")
                    {
                        // A peer created it between our two calls: point it at us.
                        await ReplaceAsync(tableId, networkInterfaceId, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        private Task ReplaceAsync(string tableId, string networkInterfaceId, CancellationToken cancellationToken) =>
            ec2.ReplaceRouteAsync(
                new ReplaceRouteRequest { RouteTableId = tableId, DestinationCidrBlock = destination, NetworkInterfaceId = networkInterfaceId },
                cancellationToken);
    }
}
