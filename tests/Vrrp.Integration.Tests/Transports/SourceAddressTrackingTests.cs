using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>keepalived <c>track_src_ip</c> on the wire: removing the source address from the interface puts the instance in FAULT; adding it back recovers.</summary>
[Collection(NetnsCollection.Name)]
public sealed class SourceAddressTrackingTests : IDisposable
{
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public void Removing_the_source_address_faults_the_instance_and_adding_it_back_recovers()
    {
        LabScenario s = LabScenario.Get("v2");
        VrrpHost host = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1", extra: "    track_src_ip\n"));
        host.WaitForState("MASTER", TimeSpan.FromSeconds(15));

        int mark = host.Mark();
        NetnsLab.Ip($"-n {_net.Node1} addr del 192.0.2.1/24 dev veth1");
        // Polled every second: FAULT within one check interval (plus scheduling noise).
        TransitionLine fault = host.WaitForState("FAULT", TimeSpan.FromSeconds(3), mark);
        Assert.Equal("TrackerFault", fault.Reason);

        mark = host.Mark();
        NetnsLab.Ip($"-n {_net.Node1} addr add 192.0.2.1/24 dev veth1");
        TransitionLine back = host.WaitForState("BACKUP", TimeSpan.FromSeconds(3), mark);
        Assert.Equal("FaultCleared", back.Reason);
        // Alone on the link again: MASTER after Master_Down_Interval, sending from the restored address.
        host.WaitForState("MASTER", TimeSpan.FromSeconds(6), mark);
        Assert.Equal(0, host.Process!.HasExited ? host.Process.ExitCode : 0);
    }
}
