using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vrrp.Diagnostics;
using Vrrp.Routing;

namespace Vrrp.Tests.Diagnostics;

/// <summary>The health check's documented mapping of states.</summary>
public sealed class VrrpHealthCheckTests
{
    [Theory]
    [InlineData(VrrpState.Master, HealthStatus.Healthy)]
    [InlineData(VrrpState.Backup, HealthStatus.Healthy)]
    [InlineData(VrrpState.Initialize, HealthStatus.Degraded)]
    [InlineData(VrrpState.Fault, HealthStatus.Degraded)]
    [InlineData(VrrpState.Stopped, HealthStatus.Unhealthy)]
    public void Each_state_maps_as_documented(VrrpState state, HealthStatus expected) =>
        Assert.Equal(expected, VrrpHealthCheck.MapState(state));

    [Fact]
    public async Task Master_and_backup_are_healthy_fault_degraded_stop_unhealthy()
    {
        using DiagnosticsCluster cluster = new();
        VrrpHealthCheck check = new([cluster.A, cluster.B]);
        HealthCheckContext context = new();

        HealthCheckResult initial = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, initial.Status);

        cluster.Start();
        cluster.Run(TimeSpan.FromSeconds(5));
        HealthCheckResult running = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal("MASTER", running.Data["VI_A"]);
        Assert.Equal("BACKUP", running.Data["VI_B"]);
        Assert.Equal(150, running.Data["VI_A.effective_priority"]);

        cluster.A.ReportTrackerResult("check", success: false);
        HealthCheckResult fault = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, fault.Status);
        Assert.Equal("FAULT", fault.Data["VI_A"]);
        Assert.Contains("VI_A is FAULT", fault.Description, StringComparison.Ordinal);

        cluster.B.Shutdown();
        HealthCheckResult stopped = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Equal("STOP", stopped.Data["VI_B"]);
    }

    [Fact]
    public async Task A_node_without_instances_is_unhealthy()
    {
        using DiagnosticsCluster cluster = new();
        using VrrpNode empty = new(cluster.Network.AddNode(System.Net.IPAddress.Parse("192.0.2.50")), cluster.Time);
        HealthCheckResult result = await new VrrpHealthCheck(empty).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }
}
