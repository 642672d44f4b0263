using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Diagnostics;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Tests.Simulation;
using Vrrp.Transports;

namespace Vrrp.Tests.Hosting;

/// <summary>services.AddVrrp in a generic host: appsettings → running instances on the in-memory network, fake clock.</summary>
public sealed class AddVrrpTests
{
    /// <summary>Two instances of one VRID on two in-process nodes: "web" (150) should win over "web-peer" (100).</summary>
    internal const string AppSettings = """
        {
          "Vrrp": {
            "Transport": "InMemory",
            "Instances": [
              {
                "Name": "web",
                "VirtualRouterId": 51,
                "Priority": 150,
                "UnicastSource": "192.0.2.1",
                "Peers": [ { "Address": "192.0.2.2" } ],
                "VirtualAddresses": [ "192.0.2.100" ]
              },
              {
                "Name": "web-peer",
                "VirtualRouterId": 51,
                "Priority": 100,
                "UnicastSource": "192.0.2.2",
                "Peers": [ { "Address": "192.0.2.1" } ],
                "VirtualAddresses": [ "192.0.2.100" ]
              }
            ]
          }
        }
        """;

    private static HostApplicationBuilder CreateBuilder(string json, FakeTimeProvider time)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Logging.AddFakeLogging();
        builder.Services.AddMetrics();
        return builder;
    }

    [Fact]
    public async Task A_host_bound_from_appsettings_becomes_master_reports_healthy_and_emits_metrics_and_logs()
    {
        FakeTimeProvider time = new();
        HostApplicationBuilder builder = CreateBuilder(AppSettings, time);
        TaskCompletionSource<FailoverEvent> master = new(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName))
            .AddAction(new DelegateFailoverAction("log-master", e =>
            {
                if (e.Kind == FailoverEventKind.Master)
                {
                    master.TrySetResult(e);
                }
            }));
        builder.Services.AddHealthChecks().AddCheck<VrrpHealthCheck>("vrrp");

        using IHost host = builder.Build();
        VrrpMetrics metrics = host.Services.GetRequiredService<VrrpMetrics>();
        using MetricCollector<long> transitions = new(metrics.Meter, "vrrp.transitions", time);
        using MetricCollector<int> state = new(metrics.Meter, "vrrp.state", time);
        using MetricCollector<double> actionDuration = new(metrics.Meter, "vrrp.action.duration", time);

        await host.StartAsync();
        VrrpHostedService vrrp = host.Services.GetRequiredService<VrrpHostedService>();
        time.Run(TimeSpan.FromSeconds(5));

        Assert.Equal(VrrpState.Master, vrrp.GetRouter("web").State);
        Assert.Equal(VrrpState.Backup, vrrp.GetRouter("web-peer").State);
        Assert.Equal("web", (await master.Task.WaitAsync(TimeSpan.FromSeconds(10))).InstanceName);

        HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("MASTER", health.Entries["vrrp"].Data["web"]);

        Assert.Contains(transitions.GetMeasurementSnapshot(), m => Equals(m.Tags[VrrpMetrics.InstanceTag], "web") && Equals(m.Tags[VrrpMetrics.ToStateTag], "MASTER"));
        state.RecordObservableInstruments();
        Assert.Equal(2, state.GetMeasurementSnapshot().Last(m => Equals(m.Tags[VrrpMetrics.InstanceTag], "web")).Value);

        FakeLogCollector logs = host.Services.GetFakeLogCollector();
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 1200 && r.Level == LogLevel.Information);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 1000 && r.Message.Contains("web:", StringComparison.Ordinal) && r.Message.Contains("Master", StringComparison.Ordinal));

        await host.StopAsync();
        Assert.Equal(VrrpState.Stopped, vrrp.Routers[0].State);
        Assert.Contains(actionDuration.GetMeasurementSnapshot(), m => Equals(m.Tags[VrrpMetrics.ActionTag], "log-master") && Equals(m.Tags[VrrpMetrics.OutcomeTag], "success"));
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 1202);
    }

    [Fact]
    public async Task The_instances_start_after_the_startup_delay()
    {
        FakeTimeProvider time = new();
        HostApplicationBuilder builder = CreateBuilder(AppSettings.Replace("\"Transport\": \"InMemory\",", "\"Transport\": \"InMemory\", \"StartupDelay\": \"00:00:03\",", StringComparison.Ordinal), time);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName));
        using IHost host = builder.Build();

        await host.StartAsync();
        VrrpHostedService vrrp = host.Services.GetRequiredService<VrrpHostedService>();
        time.Advance(TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(1));
        Assert.All(vrrp.Routers, r => Assert.Equal(VrrpState.Initialize, r.State));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.All(vrrp.Routers, r => Assert.Equal(VrrpState.Backup, r.State));
        time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(VrrpState.Master, vrrp.GetRouter("web").State);

        await host.StopAsync();
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 1203 && r.Message.Contains("3 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_before_the_startup_delay_never_starts_the_instances()
    {
        FakeTimeProvider time = new();
        HostApplicationBuilder builder = CreateBuilder(AppSettings.Replace("\"Transport\": \"InMemory\",", "\"Transport\": \"InMemory\", \"StartupDelay\": \"00:00:03\",", StringComparison.Ordinal), time);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName));
        using IHost host = builder.Build();

        await host.StartAsync();
        VrrpHostedService vrrp = host.Services.GetRequiredService<VrrpHostedService>();
        VirtualRouter web = vrrp.GetRouter("web");
        await host.StopAsync();
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, web.GetStatistics().AdvertisementsSent);
        Assert.NotEqual(VrrpState.Master, web.State);
    }

    [Fact]
    public async Task Stopping_sends_priority_zero_so_the_peer_takes_over_at_once()
    {
        FakeTimeProvider time = new();
        InMemoryNetwork network = new(time);
        HostApplicationBuilder builder = CreateBuilder(AppSettings, time);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName)).UseInMemoryNetwork(network);
        using IHost host = builder.Build();
        await host.StartAsync();
        VrrpHostedService vrrp = host.Services.GetRequiredService<VrrpHostedService>();
        time.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(2, network.Nodes.Count);
        VirtualRouter web = vrrp.GetRouter("web");
        Assert.Equal(VrrpState.Master, web.State);

        await host.StopAsync();

        Assert.Equal(1, web.GetStatistics().PriorityZeroSent);
    }

    [Fact]
    public async Task Invalid_options_stop_start_up_naming_the_field()
    {
        FakeTimeProvider time = new();
        string json = AppSettings.Replace("\"Priority\": 150", "\"Priority\": 0", StringComparison.Ordinal);
        HostApplicationBuilder builder = CreateBuilder(json, time);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName));
        using IHost host = builder.Build();

        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Instances[0].Priority: must be 1..255; got 0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hosted_service_alone_throws_the_validation_error_from_StartAsync()
    {
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddVrrp(o =>
        {
            o.Transport = VrrpTransportKind.InMemory;
            o.Instances.Add(new VrrpInstanceOptions { Name = "web", VirtualRouterId = 51, UnicastSource = "not-an-address" });
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        IHostedService service = Assert.Single(provider.GetServices<IHostedService>());

        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => service.StartAsync(CancellationToken.None));

        Assert.Contains("Instances[0].UnicastSource: 'not-an-address' is not an IP address.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_raw_transport_that_cannot_start_fails_StartAsync_not_the_background()
    {
        // Unprivileged: opening the raw socket fails (EPERM). As root: binding an address this host does not have
        // fails (EADDRNOTAVAIL). Either way StartAsync throws and no router runs; nothing is ever sent.
        ServiceCollection services = new();
        services.AddVrrp(o => o.Instances.Add(new VrrpInstanceOptions { Name = "web", VirtualRouterId = 51, UnicastSource = "198.51.100.77", Peers = [new() { Address = "198.51.100.78" }] }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        VrrpHostedService service = provider.GetRequiredService<VrrpHostedService>();

        VrrpTransportException e = await Assert.ThrowsAsync<VrrpTransportException>(() => service.StartAsync(CancellationToken.None));
        Assert.True(e.Message.Contains("CAP_NET_RAW", StringComparison.Ordinal) || e.Message.Contains("198.51.100.77", StringComparison.Ordinal), e.Message);
        Assert.Empty(service.Routers);
    }

    [Fact]
    public async Task Trackers_added_on_the_builder_must_be_known_to_the_instances()
    {
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddVrrp(o =>
        {
            o.Transport = VrrpTransportKind.InMemory;
            o.Instances.Add(new VrrpInstanceOptions { Name = "web", VirtualRouterId = 51, UnicastSource = "192.0.2.1", Peers = [new() { Address = "192.0.2.2" }], Trackers = [new() { Name = "missing" }] });
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<VrrpOptions>>().Value);

        Assert.Contains("Instances[0].Trackers[0].Name: no tracker named 'missing'", e.Message, StringComparison.Ordinal);
    }
    /// <summary>
    /// VRRPv2 PASS on both nodes with different passwords: every advert is refused on both sides (auth_failure), so
    /// the drop path runs all the time — and at Trace level no log line, health entry or state-file byte holds either
    /// password (nor the one the peer sent).
    /// </summary>
    [Fact]
    public async Task Passwords_are_never_logged_or_written_to_the_state_file_or_the_health_report()
    {
        string stateFile = Path.Combine(Directory.CreateTempSubdirectory("vrrp-secret-state-").FullName, "vrrp.json");
        string json = AppSettings
            .Replace("\"Transport\": \"InMemory\",", $"\"Transport\": \"InMemory\", \"StateFile\": \"{stateFile}\", \"StateFileInterval\": \"00:00:01\",", StringComparison.Ordinal)
            .Replace("\"Priority\": 150,", "\"Priority\": 150, \"Version\": 2, \"AuthType\": \"SimplePassword\", \"AuthPassword\": \"Pw4Web!x\",", StringComparison.Ordinal)
            .Replace("\"Priority\": 100,", "\"Priority\": 100, \"Version\": 2, \"AuthType\": \"SimplePassword\", \"AuthPassword\": \"Pw4Peer?\",", StringComparison.Ordinal);
        FakeTimeProvider time = new();
        HostApplicationBuilder builder = CreateBuilder(json, time);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName));
        builder.Services.AddHealthChecks().AddCheck<VrrpHealthCheck>("vrrp");
        using IHost host = builder.Build();

        await host.StartAsync();
        time.Run(TimeSpan.FromSeconds(10));
        VrrpHostedService vrrp = host.Services.GetRequiredService<VrrpHostedService>();
        // Neither accepts the other: both are MASTER, and the refusals were counted.
        Assert.All(vrrp.Routers, r => Assert.Equal(VrrpState.Master, r.State));
        Assert.All(vrrp.Routers, r => Assert.True(r.GetStatistics().GetDrops(VrrpDropReason.AuthFailure) > 0, $"{r.Name} counted no auth failure"));
        HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        await host.StopAsync();

        string everything = string.Join('\n', host.Services.GetFakeLogCollector().GetSnapshot().Select(r => $"{r.Message} {r.Exception} {string.Join(',', r.StructuredState?.Select(kv => kv.Value) ?? [])}"))
            + string.Join('\n', health.Entries.Select(e => $"{e.Value.Description} {string.Join(',', e.Value.Data.Select(d => $"{d.Key}={d.Value}"))}"))
            + File.ReadAllText(stateFile);
        Assert.Contains("auth", everything, StringComparison.OrdinalIgnoreCase); // the refusals were logged or counted where we look
        foreach (string password in new[] { "Pw4Web!x", "Pw4Peer?", "Pw4Web", "Pw4Peer" })
        {
            Assert.DoesNotContain(password, everything, StringComparison.Ordinal);
        }

        Directory.Delete(Path.GetDirectoryName(stateFile)!, recursive: true);
    }
}
