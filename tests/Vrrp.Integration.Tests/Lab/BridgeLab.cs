using System.Net;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>A LAN: a bridge in its own namespace and hosts (each a namespace with one veth <c>eth0</c>) plugged into it.</summary>
public sealed class BridgeLab : IDisposable
{
    public BridgeLab()
    {
        Lab = new NetnsLab();
        Bridge = Lab.AddNamespace("br");
        NetnsLab.Ip($"-n {Bridge} link add br0 type bridge");
        NetnsLab.Ip($"-n {Bridge} link set br0 up");
    }

    public NetnsLab Lab { get; }

    public string Bridge { get; }

    /// <summary>Adds a host namespace with <c>eth0</c> on the bridge and its addresses (IPv6 nodad); returns the namespace.</summary>
    public string AddHost(string shortName, params string[] addresses)
    {
        string ns = Lab.AddNamespace(shortName);
        string port = $"p{shortName}";
        NetnsLab.Ip($"-n {ns} link add eth0 type veth peer name {port} netns {Bridge}");
        NetnsLab.Ip($"-n {Bridge} link set {port} master br0");
        NetnsLab.Ip($"-n {Bridge} link set {port} up");
        foreach (string address in addresses)
        {
            bool v6 = IPAddress.Parse(address.Split('/')[0]).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            NetnsLab.Ip($"-n {ns} addr add {address} dev eth0{(v6 ? " nodad" : "")}");
        }

        NetnsLab.Ip($"-n {ns} link set eth0 up");
        return ns;
    }

    /// <summary>The MAC address of <paramref name="ifName"/> in <paramref name="ns"/>, lower case with colons.</summary>
    public static string Mac(string ns, string ifName = "eth0")
    {
        string output = NetnsLab.Ip($"-n {ns} -o link show dev {ifName}");
        int at = output.IndexOf("link/ether ", StringComparison.Ordinal);
        Assert.True(at >= 0, output);
        return output.Substring(at + 11, 17);
    }

    public void Dispose() => Lab.Dispose();
}
