using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vrrp.Integration.Tests.Lab;
using Vrrp.Packets;
using Vrrp.Transports.Raw;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>Wireshark's dissector (tshark, Debian) reads our packets with a good checksum and no malformation.</summary>
[Collection(NetnsCollection.Name)]
public sealed class TsharkDissectionTests : IDisposable
{
    private readonly TwoNodeLab _net = new();


    public void Dispose() => _net.Dispose();

    [Fact]
    public void Tshark_dissects_our_v2_v3_and_IPv6_adverts_without_warnings()
    {
        string tshark = Prerequisites.RequireProgram("tshark", "tshark");
        List<string> output = [];
        bool capturing = false;
        Process capture = _net.Lab.Start(_net.Node2, tshark,
            "-l -n -i veth2 -f \"ip proto 112 or ip6 proto 112\" -c 4 -a duration:20 -T fields -E separator=/t " +
            "-e vrrp.version -e vrrp.prio -e vrrp.checksum.status -e _ws.expert.severity -e _ws.malformed -e vrrp.ip_addr -e vrrp.ipv6_addr",
            line =>
            {
                lock (output)
                {
                    if (line.Contains("Capture started", StringComparison.Ordinal))
                    {
                        capturing = true;
                    }
                    else if (line.Contains('\t', StringComparison.Ordinal))
                    {
                        output.Add(line);
                    }
                }
            });
        Stopwatch ready = Stopwatch.StartNew();
        while (!Volatile.Read(ref capturing) && ready.Elapsed < TimeSpan.FromSeconds(15))
        {
            Thread.Sleep(50);
        }

        Assert.True(capturing, "tshark did not start capturing");
        IPAddress a4 = IPAddress.Parse("192.0.2.1"), b4 = IPAddress.Parse("192.0.2.2"), a6 = IPAddress.Parse("2001:db8::1"), b6 = IPAddress.Parse("2001:db8::2");
        using RawVrrpSocket v4 = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetwork, a4, null, TimeSpan.FromMilliseconds(100)));
        using RawVrrpSocket v6 = NetnsLab.InNamespace(_net.Node1, () => RawVrrpSocket.Open(AddressFamily.InterNetworkV6, a6, null, TimeSpan.FromMilliseconds(100)));
        IPAddress vip4 = IPAddress.Parse("192.0.2.100"), vip6 = IPAddress.Parse("2001:db8::100");

        v4.Send(RawSocketTests.Encode(VrrpAdvertisement.CreateV2(47, 102, 1, [vip4]), a4, b4, VrrpChecksumMode.MessageOnly), b4, 255);
        v4.Send(RawSocketTests.Encode(VrrpAdvertisement.CreateV2(47, 101, 1, [vip4], VrrpAuthType.SimplePassword, VrrpAuthenticationData.FromPassword("secret1")), a4, b4, VrrpChecksumMode.MessageOnly), b4, 255);
        v4.Send(RawSocketTests.Encode(VrrpAdvertisement.CreateV3(47, 103, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, [vip4]), a4, b4, VrrpChecksumMode.PseudoHeader), b4, 255);
        v6.Send(RawSocketTests.Encode(VrrpAdvertisement.CreateV3(47, 104, TimeSpan.FromSeconds(1), AddressFamily.InterNetworkV6, [vip6]), a6, b6, VrrpChecksumMode.PseudoHeader), b6, 255);

        Assert.True(capture.WaitForExit(20_000), "tshark did not finish");
        capture.WaitForExit(); // drain the output handlers
        string[] rows;
        lock (output)
        {
            rows = [.. output];
        }

        Assert.Equal(4, rows.Length);
        string[][] fields = [.. rows.Select(r => r.Split('\t'))];
        Assert.Equal(["2", "2", "3", "3"], fields.Select(f => f[0]));
        Assert.Equal(["102", "101", "103", "104"], fields.Select(f => f[1]));
        Assert.All(fields, f => Assert.Equal("1", f[2])); // vrrp.checksum.status: 1 = Good
        Assert.All(fields, f => Assert.Equal("", f[3]));  // no expert info of any severity
        Assert.All(fields, f => Assert.Equal("", f[4]));  // not malformed
        Assert.Equal(["192.0.2.100", "192.0.2.100", "192.0.2.100", ""], fields.Select(f => f[5]));
        Assert.Equal("2001:db8::100", fields[3][6]);
    }
}
