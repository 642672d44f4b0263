using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Transports;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers VRRP in a .NET host: <c>services.AddVrrp(builder.Configuration.GetSection("Vrrp"))</c>.</summary>
public static class VrrpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the VRRP hosted service (<see cref="VrrpHostedService"/>), its options (<see cref="VrrpOptions"/>, validated at
    /// start-up), <see cref="VrrpMetrics"/> on the host's <see cref="IMeterFactory"/>, the raw-socket transport (swap it
    /// with <see cref="VrrpBuilderExtensions.UseInMemoryNetwork"/>) and <see cref="VrrpHealthCheck"/> for
    /// <c>services.AddHealthChecks().AddCheck&lt;VrrpHealthCheck&gt;("vrrp")</c>. Calling it again returns a builder over the same services.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to add actions, trackers and choose the transport.</returns>
    public static IVrrpBuilder AddVrrp(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VrrpOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VrrpOptions>, VrrpOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new VrrpMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new InMemoryNetwork(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IVrrpTransportFactory, DefaultVrrpTransportFactory>();
        services.TryAddSingleton<VrrpHostedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VrrpHostedService>(sp => sp.GetRequiredService<VrrpHostedService>()));
        services.TryAddTransient(sp => new VrrpHealthCheck(sp.GetRequiredService<VrrpHostedService>().Routers));
        return new VrrpBuilder(services);
    }

    /// <summary>Adds VRRP (see <see cref="AddVrrp(IServiceCollection)"/>) configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddVrrp(this IServiceCollection services, Action<VrrpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        IVrrpBuilder builder = services.AddVrrp();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Adds VRRP (see <see cref="AddVrrp(IServiceCollection)"/>) bound to a configuration section, e.g. <c>configuration.GetSection("Vrrp")</c>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <see cref="VrrpOptions"/> (its JSON form: docs/embedding.md).</param>
    /// <returns>The builder.</returns>
    public static IVrrpBuilder AddVrrp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IVrrpBuilder builder = services.AddVrrp();
        services.AddOptions<VrrpOptions>().Bind(configuration);
        return builder;
    }
}
