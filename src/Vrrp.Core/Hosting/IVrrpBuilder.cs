using Microsoft.Extensions.DependencyInjection;

namespace Vrrp.Hosting;

/// <summary>
/// Configures the VRRP services added by <c>services.AddVrrp(...)</c>: failover actions, trackers, the transport.
/// Packages add their own <c>Add...</c> extension methods on it (e.g. the AWS failover actions).
/// </summary>
public interface IVrrpBuilder
{
    /// <summary>The service collection the VRRP services are registered in.</summary>
    IServiceCollection Services { get; }
}

internal sealed class VrrpBuilder(IServiceCollection services) : IVrrpBuilder
{
    public IServiceCollection Services { get; } = services;
}
