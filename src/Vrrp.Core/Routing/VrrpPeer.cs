using System.Net;

namespace Vrrp.Routing;

/// <summary>One unicast peer (keepalived <c>unicast_peer { addr [min_ttl N] [max_ttl N] }</c>).</summary>
public sealed class VrrpPeer
{
    /// <summary>Creates a peer with the default TTL window 0..255.</summary>
    public VrrpPeer()
    {
    }

    /// <summary>Creates a peer.</summary>
    /// <param name="address">The peer's unicast address.</param>
    /// <param name="minTimeToLive">The lowest TTL or hop limit accepted from it.</param>
    /// <param name="maxTimeToLive">The highest TTL or hop limit accepted from it.</param>
    public VrrpPeer(IPAddress address, int minTimeToLive = 0, int maxTimeToLive = 255)
    {
        Address = address;
        MinTimeToLive = minTimeToLive;
        MaxTimeToLive = maxTimeToLive;
    }

    /// <summary>The peer's unicast address; advertisements go to it and are accepted from it.</summary>
    public IPAddress? Address { get; set; }

    /// <summary>The lowest TTL / hop limit accepted from this peer (keepalived <c>min_ttl</c>, default 0).</summary>
    public int MinTimeToLive { get; set; }

    /// <summary>The highest TTL / hop limit accepted from this peer (keepalived <c>max_ttl</c>, default 255).</summary>
    public int MaxTimeToLive { get; set; } = 255;

    /// <inheritdoc/>
    public override string ToString() => $"{Address} ttl {MinTimeToLive}..{MaxTimeToLive}";
}
