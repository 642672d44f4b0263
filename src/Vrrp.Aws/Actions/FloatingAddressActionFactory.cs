using Amazon.EC2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Aws;

/// <summary>
/// Builds floating addresses and their <see cref="FloatingAddressAction"/>s from options, for hosts and applications
/// that configure the mode as data (<see cref="ElasticIpOptions"/>, <see cref="SecondaryPrivateIpOptions"/> or
/// <see cref="RouteTableOptions"/>).
/// </summary>
public static class FloatingAddressActionFactory
{
    /// <summary>How much longer than <see cref="AwsFailoverOptions.Deadline"/> the pipeline should let the action run before cancelling it.</summary>
    public static readonly TimeSpan TimeoutMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The action timeout to give the pipeline (<c>pipeline.Add(action, timeout)</c>) so that the awaited part, bounded by
    /// <see cref="AwsFailoverOptions.Deadline"/>, reports its own result rather than a timeout.
    /// </summary>
    /// <param name="failover">The retry settings.</param>
    /// <returns>The deadline plus <see cref="TimeoutMargin"/>.</returns>
    public static TimeSpan RecommendedActionTimeout(AwsFailoverOptions failover)
    {
        ArgumentNullException.ThrowIfNull(failover);
        return failover.Deadline + TimeoutMargin;
    }

    /// <summary>Creates the mover for <paramref name="mode"/>: an <see cref="ElasticIpAddress"/>, <see cref="SecondaryPrivateIpAddress"/> or <see cref="RouteTableAddress"/>.</summary>
    /// <param name="ec2">The EC2 client.</param>
    /// <param name="mode">The mode's options; validated.</param>
    /// <param name="failover">Deadline and retry settings; null uses the defaults.</param>
    /// <param name="identity">Discovers the interface when the mode does not name it.</param>
    /// <param name="timeProvider">The clock; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the mover logs; null logs nothing.</param>
    /// <returns>The mover.</returns>
    /// <exception cref="ArgumentException">An option is invalid, or the mode is not one of the three; the message names it.</exception>
    public static IFloatingAddress CreateAddress(
        IAmazonEC2 ec2,
        FloatingAddressOptions mode,
        AwsFailoverOptions? failover = null,
        InstanceIdentityResolver? identity = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        ArgumentNullException.ThrowIfNull(mode);
        ILoggerFactory logs = loggerFactory ?? NullLoggerFactory.Instance;
        return mode switch
        {
            ElasticIpOptions eip => new ElasticIpAddress(ec2, eip, failover, identity, timeProvider, logs.CreateLogger<ElasticIpAddress>()),
            SecondaryPrivateIpOptions ip => new SecondaryPrivateIpAddress(ec2, ip, failover, identity, timeProvider, logs.CreateLogger<SecondaryPrivateIpAddress>()),
            RouteTableOptions routes => new RouteTableAddress(ec2, routes, failover, identity, timeProvider, logs.CreateLogger<RouteTableAddress>()),
            _ => throw new ArgumentException($"Unknown floating address mode {mode.GetType().Name}: use {nameof(ElasticIpOptions)}, {nameof(SecondaryPrivateIpOptions)} or {nameof(RouteTableOptions)}.", nameof(mode)),
        };
    }

    /// <summary>Creates the action for <paramref name="mode"/> with a caller-owned EC2 client.</summary>
    /// <param name="ec2">The EC2 client (not disposed by the action).</param>
    /// <param name="mode">The mode's options; validated.</param>
    /// <param name="failover">Deadline and retry settings; null uses the defaults.</param>
    /// <param name="action">The action's settings (name, instance, re-check, background retry); null uses the defaults.</param>
    /// <param name="identity">Discovers the interface when the mode does not name it (not disposed by the action).</param>
    /// <param name="timeProvider">The clock; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the action and mover log; null logs nothing.</param>
    /// <returns>The action; add it to a pipeline with <see cref="RecommendedActionTimeout"/>.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static FloatingAddressAction Create(
        IAmazonEC2 ec2,
        FloatingAddressOptions mode,
        AwsFailoverOptions? failover = null,
        FloatingAddressActionOptions? action = null,
        InstanceIdentityResolver? identity = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        IFloatingAddress address = CreateAddress(ec2, mode, failover, identity, timeProvider, loggerFactory);
        return new FloatingAddressAction(address, action, timeProvider, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FloatingAddressAction>(), null, [])
        {
            TimeoutPerEvent = RecommendedActionTimeout(failover ?? new AwsFailoverOptions()),
        };
    }

    /// <summary>
    /// Creates the action for <paramref name="mode"/> with its own EC2 client (<see cref="AwsEc2ClientFactory.Create"/>:
    /// credentials from the SDK's default chain) and identity resolver, both disposed with the action.
    /// </summary>
    /// <param name="failover">Region or endpoint, deadline and retry settings; validated.</param>
    /// <param name="mode">The mode's options; validated.</param>
    /// <param name="action">The action's settings; null uses the defaults.</param>
    /// <param name="identity">IMDSv2 settings for discovering the interface; null uses the defaults.</param>
    /// <param name="timeProvider">The clock; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the action, mover and resolver log; null logs nothing.</param>
    /// <returns>The action; dispose it with the application.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static FloatingAddressAction CreateWithOwnClient(
        AwsFailoverOptions failover,
        FloatingAddressOptions mode,
        FloatingAddressActionOptions? action = null,
        InstanceIdentityOptions? identity = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(failover);
        ArgumentNullException.ThrowIfNull(mode);
        ILoggerFactory logs = loggerFactory ?? NullLoggerFactory.Instance;
        (action ?? new FloatingAddressActionOptions()).Validate();
        mode.Validate();
        AmazonEC2Client ec2 = AwsEc2ClientFactory.Create(failover);
        var resolver = new InstanceIdentityResolver(identity ?? new InstanceIdentityOptions(), null, timeProvider, logs.CreateLogger<InstanceIdentityResolver>());
        try
        {
            IFloatingAddress address = CreateAddress(ec2, mode, failover, resolver, timeProvider, logs);
            return new FloatingAddressAction(address, action, timeProvider, logs.CreateLogger<FloatingAddressAction>(), null, [resolver, ec2])
            {
                TimeoutPerEvent = RecommendedActionTimeout(failover),
            };
        }
        catch
        {
            resolver.Dispose();
            ec2.Dispose();
            throw;
        }
    }
}
