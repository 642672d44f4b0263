using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Vrrp.Diagnostics;
using Vrrp.Routing;

namespace Vrrp.Tests.Diagnostics;

/// <summary>The "Vrrp" meter's instruments, read with MetricCollector after routers run on the in-memory network.</summary>
public sealed class VrrpMetricsTests
{
    [Fact]
    public void Counters_and_the_state_gauge_follow_the_routers()
    {
        using DiagnosticsCluster cluster = new();
        using VrrpMetrics metrics = new();
        metrics.Attach(cluster.NodeA);
        metrics.Attach(cluster.NodeB);
        using MetricCollector<long> sent = new(metrics.Meter, "vrrp.adverts.sent", cluster.Time);
        using MetricCollector<long> received = new(metrics.Meter, "vrrp.adverts.received", cluster.Time);
        using MetricCollector<long> transitions = new(metrics.Meter, "vrrp.transitions", cluster.Time);
        using MetricCollector<int> state = new(metrics.Meter, "vrrp.state", cluster.Time);

        cluster.Start();
        cluster.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Master, cluster.A.State);
        Assert.Equal(VrrpState.Backup, cluster.B.State);
        sent.RecordObservableInstruments();
        received.RecordObservableInstruments();
        state.RecordObservableInstruments();

        VrrpStatistics a = cluster.A.GetStatistics();
        VrrpStatistics b = cluster.B.GetStatistics();
        Assert.True(a.AdvertisementsSent >= 6);
        Assert.Equal(a.AdvertisementsSent, Latest(sent, "VI_A"));
        Assert.Equal(0, Latest(sent, "VI_B"));
        Assert.Equal(b.AdvertisementsReceived, Latest(received, "VI_B"));
        Assert.Equal(a.AdvertisementsSent, b.AdvertisementsReceived);
        Assert.Equal(2, Latest(state, "VI_A"));
        Assert.Equal(1, Latest(state, "VI_B"));
        Assert.Equal("{advert}", sent.Instrument!.Unit);

        // INIT -> BACKUP for both, BACKUP -> MASTER for A.
        Assert.Equal(3, transitions.GetMeasurementSnapshot().Count);
        CollectedMeasurement<long> master = Assert.Single(transitions.GetMeasurementSnapshot(), m => m.ContainsTags(new KeyValuePair<string, object?>("vrrp.state.to", "MASTER")));
        Assert.Equal(1, master.Value);
        Assert.True(master.ContainsTags(
            new KeyValuePair<string, object?>("vrrp.instance", "VI_A"),
            new KeyValuePair<string, object?>("vrrp.state.from", "BACKUP")));

        // A weight-0 tracker fails on the MASTER: FAULT (gauge 3), priority 0 sent, B takes over.
        cluster.A.ReportTrackerResult("check", success: false);
        cluster.Run(TimeSpan.FromSeconds(2));
        state.RecordObservableInstruments();
        Assert.Equal(3, Latest(state, "VI_A"));
        Assert.Equal(2, Latest(state, "VI_B"));
        Assert.Contains(transitions.GetMeasurementSnapshot(), m => m.ContainsTags(
            new KeyValuePair<string, object?>("vrrp.instance", "VI_A"),
            new KeyValuePair<string, object?>("vrrp.state.from", "MASTER"),
            new KeyValuePair<string, object?>("vrrp.state.to", "FAULT")));
    }

    [Fact]
    public void Drops_are_counted_by_reason()
    {
        using DiagnosticsCluster cluster = new();
        using VrrpMetrics metrics = new();
        metrics.Attach(cluster.NodeB);
        using MetricCollector<long> dropped = new(metrics.Meter, "vrrp.adverts.dropped", cluster.Time);
        cluster.Start();

        // A stranger (not a configured peer) sends B an advertisement for its VRID: check_unicast_src drops it.
        Vrrp.Transports.InMemoryTransport stranger = cluster.Network.AddNode(IPAddress.Parse("192.0.2.9"));
        using VrrpNode strangerNode = new(stranger, cluster.Time);
        VirtualRouter intruder = strangerNode.AddRouter(DiagnosticsCluster.Options("VI_X", 200, IPAddress.Parse("192.0.2.9"), DiagnosticsCluster.AddressB));
        intruder.Start();
        cluster.Run(TimeSpan.FromSeconds(6));

        dropped.RecordObservableInstruments();
        long expected = cluster.B.GetStatistics().GetDrops(VrrpDropReason.SourceNotPeer);
        Assert.True(expected > 0);
        CollectedMeasurement<long> measurement = Assert.Single(dropped.GetMeasurementSnapshot(), m => m.Tags["vrrp.drop.reason"] is "source_not_peer");
        Assert.Equal(expected, measurement.Value);
        Assert.Equal("VI_B", measurement.Tags["vrrp.instance"]);
    }

    [Fact]
    public void Action_durations_are_a_histogram_in_seconds()
    {
        using VrrpMetrics metrics = new();
        using MetricCollector<double> durations = new(metrics.Meter, "vrrp.action.duration");

        metrics.RecordActionDuration("VI_1", "notify_master", 0.25, "success");

        CollectedMeasurement<double> measurement = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal(0.25, measurement.Value);
        Assert.Equal("s", durations.Instrument!.Unit);
        Assert.True(measurement.ContainsTags(
            new KeyValuePair<string, object?>("vrrp.instance", "VI_1"),
            new KeyValuePair<string, object?>("vrrp.action", "notify_master"),
            new KeyValuePair<string, object?>("vrrp.action.outcome", "success")));
    }

    [Fact]
    public void The_meter_is_named_Vrrp()
    {
        using VrrpMetrics metrics = new();
        Assert.Equal("Vrrp", metrics.Meter.Name);
    }

    private static T Latest<T>(MetricCollector<T> collector, string instance)
        where T : struct =>
        collector.GetMeasurementSnapshot().Last(m => m.Tags["vrrp.instance"] is string name && name == instance).Value;
}
