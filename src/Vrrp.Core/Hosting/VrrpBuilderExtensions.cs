using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vrrp.Actions;
using Vrrp.Hosting;
using Vrrp.Tracking;
using Vrrp.Transports;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds failover actions and trackers to VRRP and chooses its transport.</summary>
public static class VrrpBuilderExtensions
{
    /// <summary>Adds a failover action created by dependency injection (a singleton); actions run in the order added, after the configured notify scripts.</summary>
    /// <typeparam name="TAction">The action type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddAction<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TAction>(this IVrrpBuilder builder)
        where TAction : class, IFailoverAction
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TAction>();
        builder.Services.AddSingleton<IFailoverAction>(sp => sp.GetRequiredService<TAction>());
        return builder;
    }

    /// <summary>Adds a failover action created by <paramref name="factory"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the action from the application's services.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddAction(this IVrrpBuilder builder, Func<IServiceProvider, IFailoverAction> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Adds a failover action instance (e.g. a <see cref="DelegateFailoverAction"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="action">The action.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddAction(this IVrrpBuilder builder, IFailoverAction action)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(action);
        builder.Services.AddSingleton(action);
        return builder;
    }

    /// <summary>Adds a built-in tracker (<see cref="ScriptTrackerOptions"/>, <see cref="TcpTrackerOptions"/>, <see cref="HttpTrackerOptions"/>, ...);
    /// instances follow it by listing <see cref="TrackerOptions.Name"/> in their <see cref="VrrpInstanceOptions.Trackers"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The tracker's options.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddTracker(this IVrrpBuilder builder, TrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddTracker(options, _ => TrackerFactory.Create(options));
    }

    /// <summary>Adds a tracker created by <paramref name="factory"/>, run on <paramref name="options"/>' schedule.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The tracker's name (as instances list it), interval and timeout.</param>
    /// <param name="factory">Creates the tracker.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddTracker(this IVrrpBuilder builder, TrackerOptions options, Func<IServiceProvider, IVrrpTracker> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options.ThrowIfInvalid();
        builder.Services.AddSingleton(new VrrpTrackerRegistration(options, factory));
        return builder;
    }

    /// <summary>Adds a tracker of type <typeparamref name="TTracker"/> created by dependency injection.</summary>
    /// <typeparam name="TTracker">The tracker type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The tracker's name, interval and timeout.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddTracker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TTracker>(this IVrrpBuilder builder, TrackerOptions options)
        where TTracker : class, IVrrpTracker
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TTracker>();
        return builder.AddTracker(options, sp => sp.GetRequiredService<TTracker>());
    }

    /// <summary>Runs the instances on <paramref name="network"/> instead of raw sockets (no privilege: development, samples, tests).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="network">The in-process network; each unicast source becomes a node on it.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder UseInMemoryNetwork(this IVrrpBuilder builder, InMemoryNetwork network)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(network);
        builder.Services.Replace(ServiceDescriptor.Singleton(network));
        builder.Services.Configure<VrrpOptions>(o => o.Transport = VrrpTransportKind.InMemory);
        return builder;
    }

    /// <summary>Runs the instances on raw sockets (the default), whatever the configuration says.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder UseRawSockets(this IVrrpBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<VrrpOptions>(o => o.Transport = VrrpTransportKind.Raw);
        return builder;
    }

    /// <summary>Replaces how transports are opened.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the transport factory.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder UseTransport(this IVrrpBuilder builder, Func<IServiceProvider, IVrrpTransportFactory> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }
}
