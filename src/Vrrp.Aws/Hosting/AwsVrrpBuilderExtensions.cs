using Microsoft.Extensions.Logging;
using Vrrp.Aws;
using Vrrp.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the AWS failover actions on <c>services.AddVrrp(...)</c>: the node that becomes MASTER takes the
/// Elastic IP, secondary private IP or route-table overlay IP, and takes it again when a MASTER hears a
/// lower-priority advert. The reference deployment's <c>notify_master "vrrp.sh EIP start"</c> is one line:
/// <c>services.AddVrrp(configuration.GetSection("Vrrp")).AddElasticIp(o => o.AllocationId = "eipalloc-...")</c>.
/// </summary>
public static class AwsVrrpBuilderExtensions
{
    /// <summary>Moves an Elastic IP to this node's interface on MASTER (AssociateAddress with AllowReassociation, verified).</summary>
    /// <param name="builder">The VRRP builder.</param>
    /// <param name="configure">Sets the allocation ID and, optionally, the interface and secondary private IP.</param>
    /// <param name="failover">Optional region/endpoint, deadline and retry settings.</param>
    /// <param name="action">Optional action settings (instance filter, periodic re-check, background retry).</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddElasticIp(this IVrrpBuilder builder, Action<ElasticIpOptions> configure,
        Action<AwsFailoverOptions>? failover = null, Action<FloatingAddressActionOptions>? action = null) =>
        builder.AddFloatingAddress(Configure(configure), failover, action);

    /// <summary>Moves a secondary private IP to this node's interface on MASTER (same subnet, so same AZ).</summary>
    /// <inheritdoc cref="AddElasticIp"/>
    public static IVrrpBuilder AddSecondaryPrivateIp(this IVrrpBuilder builder, Action<SecondaryPrivateIpOptions> configure,
        Action<AwsFailoverOptions>? failover = null, Action<FloatingAddressActionOptions>? action = null) =>
        builder.AddFloatingAddress(Configure(configure), failover, action);

    /// <summary>Points <c>ip/32</c> at this node's interface in each route table on MASTER (overlay IP across AZs).</summary>
    /// <inheritdoc cref="AddElasticIp"/>
    public static IVrrpBuilder AddRouteTableAddress(this IVrrpBuilder builder, Action<RouteTableOptions> configure,
        Action<AwsFailoverOptions>? failover = null, Action<FloatingAddressActionOptions>? action = null) =>
        builder.AddFloatingAddress(Configure(configure), failover, action);

    /// <summary>
    /// Adds a floating-address action for any mode. The options are validated here (the exception names the field);
    /// the EC2 client uses the SDK's default credential chain and is created when the host starts.
    /// </summary>
    /// <param name="builder">The VRRP builder.</param>
    /// <param name="mode">The mode's options.</param>
    /// <param name="failover">Optional region/endpoint, deadline and retry settings.</param>
    /// <param name="action">Optional action settings.</param>
    /// <param name="identity">Optional IMDSv2 settings for discovering the interface.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IVrrpBuilder AddFloatingAddress(this IVrrpBuilder builder, FloatingAddressOptions mode,
        Action<AwsFailoverOptions>? failover = null, Action<FloatingAddressActionOptions>? action = null, InstanceIdentityOptions? identity = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(mode);
        AwsFailoverOptions failoverOptions = new();
        failover?.Invoke(failoverOptions);
        FloatingAddressActionOptions actionOptions = new();
        action?.Invoke(actionOptions);
        mode.Validate();
        failoverOptions.Validate();
        actionOptions.Validate();
        return builder.AddAction(services => FloatingAddressActionFactory.CreateWithOwnClient(
            failoverOptions,
            mode,
            actionOptions,
            identity,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Adds every action of an <c>"Aws"</c> section (<see cref="AwsHostConfiguration"/>, as <c>vrrp run</c> reads it from
    /// its JSON file), so one file configures both hosts the same way.
    /// </summary>
    /// <param name="builder">The VRRP builder.</param>
    /// <param name="configuration">The section; validated here (the exception names the field).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An entry is invalid.</exception>
    public static IVrrpBuilder AddAws(this IVrrpBuilder builder, AwsHostConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        for (int i = 0; i < configuration.Actions.Count; i++)
        {
            int index = i;
            builder.AddAction(services => configuration.CreateAction(index, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>()));
        }

        return builder;
    }

    private static T Configure<T>(Action<T> configure)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(configure);
        T options = new();
        configure(options);
        return options;
    }
}
