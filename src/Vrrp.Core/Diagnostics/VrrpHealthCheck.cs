using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vrrp.Routing;

namespace Vrrp.Diagnostics;

/// <summary>
/// An <see cref="IHealthCheck"/> over VRRP instances. The result is the worst of the instances':
/// MASTER and BACKUP are <see cref="HealthStatus.Healthy"/> (both are doing their job); INIT (not started yet) and
/// FAULT (interface down or a weight-0 tracker failing: the node cannot serve, but a peer can) are
/// <see cref="HealthStatus.Degraded"/>; STOP (shut down or never able to run) is <see cref="HealthStatus.Unhealthy"/>.
/// No instance at all is <see cref="HealthStatus.Unhealthy"/>. The data holds each instance's state by name
/// (<c>"VI_1": "MASTER"</c>) and its effective priority (<c>"VI_1.effective_priority": 150</c>).
/// </summary>
public sealed class VrrpHealthCheck : IHealthCheck
{
    private readonly Func<IEnumerable<VirtualRouter>> _routers;

    /// <summary>Checks a fixed set of instances.</summary>
    public VrrpHealthCheck(IEnumerable<VirtualRouter> routers)
    {
        ArgumentNullException.ThrowIfNull(routers);
        VirtualRouter[] list = [.. routers];
        _routers = () => list;
    }

    /// <summary>Checks the instances <paramref name="node"/> has when the check runs.</summary>
    public VrrpHealthCheck(VrrpNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _routers = () => node.Routers;
    }

    /// <summary>The status an instance in <paramref name="state"/> contributes (see the type's remarks).</summary>
    public static HealthStatus MapState(VrrpState state) => state switch
    {
        VrrpState.Master or VrrpState.Backup => HealthStatus.Healthy,
        VrrpState.Initialize or VrrpState.Fault => HealthStatus.Degraded,
        _ => HealthStatus.Unhealthy,
    };

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Dictionary<string, object> data = new(StringComparer.Ordinal);
        HealthStatus worst = HealthStatus.Healthy;
        List<string> problems = [];
        int count = 0;
        foreach (VirtualRouter router in _routers())
        {
            count++;
            VrrpState state = router.State;
            string name = VrrpStateCodes.ToKeepalivedName(state);
            data[router.Name] = name;
            data[router.Name + ".effective_priority"] = router.EffectivePriority;
            HealthStatus status = MapState(state);
            if (status != HealthStatus.Healthy)
            {
                problems.Add($"{router.Name} is {name}");
            }

            if (status < worst)
            {
                worst = status;
            }
        }

        if (count == 0)
        {
            return Task.FromResult(new HealthCheckResult(HealthStatus.Unhealthy, "No VRRP instance.", data: data));
        }

        string description = problems.Count == 0
            ? $"{count} VRRP instance(s) MASTER or BACKUP."
            : string.Join("; ", problems) + ".";
        return Task.FromResult(new HealthCheckResult(worst, description, data: data));
    }
}
