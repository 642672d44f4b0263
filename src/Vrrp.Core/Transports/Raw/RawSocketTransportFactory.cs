using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vrrp.Hosting;

namespace Vrrp.Transports.Raw;

/// <summary>Opens a <see cref="RawSocketTransport"/> (IP protocol 112, Linux, CAP_NET_RAW) per unicast source and interface.</summary>
/// <param name="loggerFactory">Where the transports log (default: nowhere).</param>
public sealed class RawSocketTransportFactory(ILoggerFactory? loggerFactory = null) : IVrrpTransportFactory
{
    /// <inheritdoc/>
    /// <exception cref="VrrpTransportException">The socket cannot be opened; the message says why (privilege, address).</exception>
    public IVrrpTransport Create(IPAddress localAddress, string? interfaceName) =>
        RawSocketTransport.Open(new RawSocketTransportOptions { LocalAddress = localAddress, Interface = interfaceName },
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Vrrp.Transports.Raw"));
}
