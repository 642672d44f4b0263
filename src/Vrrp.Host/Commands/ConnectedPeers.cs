using System.Net;
using System.Net.NetworkInformation;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Host.Commands;

/// <summary>
/// Unicast peers on one link with this host: there the TTL = 255 guard (RFC 5798 §5.1.1.3) works, and keepalived's
/// <c>min_ttl 255</c> makes every advert from farther away (an off-link spoofer's) a counted drop. Without it, any TTL
/// is accepted, as it must be across routers.
/// </summary>
internal static class ConnectedPeers
{
    /// <summary>The networks this host's interfaces are on (address and prefix length).</summary>
    public static IReadOnlyList<(IPAddress Address, int PrefixLength)> Local()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => (u.Address, u.PrefixLength))];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    /// <summary>A warning per peer on a connected subnet whose <c>min_ttl</c> is below 255.</summary>
    public static IEnumerable<string> Warnings(KeepalivedConfiguration configuration, IReadOnlyList<(IPAddress Address, int PrefixLength)> local)
    {
        foreach (KeepalivedInstance instance in configuration.Instances)
        {
            foreach (VrrpPeer peer in instance.Options.Peers)
            {
                if (peer.Address is { } address && peer.MinTimeToLive < 255
                    && local.FirstOrDefault(n => OnSubnet(address, n.Address, n.PrefixLength)) is { Address: not null } network)
                {
                    yield return $"{instance.Location}: {instance.Options.Name}: the unicast peer {address} is on this host's subnet "
                        + $"{network.Address}/{network.PrefixLength}, one link away: give it 'min_ttl 255' so that adverts from "
                        + "farther away (a spoofer's, through a router) are dropped";
                }
            }
        }
    }

    private static bool OnSubnet(IPAddress peer, IPAddress local, int prefixLength)
    {
        if (peer.AddressFamily != local.AddressFamily || peer.Equals(local) || prefixLength <= 0)
        {
            return false;
        }

        byte[] a = peer.GetAddressBytes();
        byte[] b = local.GetAddressBytes();
        int bits = Math.Min(prefixLength, a.Length * 8);
        for (int i = 0; i < bits; i++)
        {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
