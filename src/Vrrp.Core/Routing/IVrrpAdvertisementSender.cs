using Vrrp.Packets;

namespace Vrrp.Routing;

/// <summary>
/// Where a <see cref="VirtualRouter"/> hands the advertisements it decides to send. <see cref="VrrpNode"/> implements
/// it by encoding one copy per unicast peer and sending it through its <see cref="Transports.IVrrpTransport"/>.
/// Called in order, never under the router's lock.
/// </summary>
public interface IVrrpAdvertisementSender
{
    /// <summary>Sends <paramref name="advertisement"/> for <paramref name="router"/> to each of its unicast peers.</summary>
    /// <param name="router">The sending instance (its options give the source, peers, TTL and checksum variant).</param>
    /// <param name="advertisement">The advertisement, with the priority to announce (0 when leaving).</param>
    void Send(VirtualRouter router, in VrrpAdvertisement advertisement);
}
