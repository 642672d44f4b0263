using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vrrp.Transports;
using Vrrp.Transports.Raw;

namespace Vrrp.Hosting;

/// <summary>Opens the transport of one VRRP node (the instances sharing a unicast source and interface).</summary>
public interface IVrrpTransportFactory
{
    /// <summary>Opens a transport sending from and receiving on <paramref name="localAddress"/>.</summary>
    /// <param name="localAddress">The instances' unicast source.</param>
    /// <param name="interfaceName">The interface to bind to, if any.</param>
    /// <exception cref="VrrpTransportException">The transport cannot be opened (e.g. no CAP_NET_RAW).</exception>
    IVrrpTransport Create(IPAddress localAddress, string? interfaceName);
}

/// <summary>Raw sockets or the registered <see cref="InMemoryNetwork"/>, as <see cref="VrrpOptions.Transport"/> says.</summary>
internal sealed class DefaultVrrpTransportFactory(IOptions<VrrpOptions> options, IServiceProvider services, ILoggerFactory? loggerFactory = null) : IVrrpTransportFactory
{
    public IVrrpTransport Create(IPAddress localAddress, string? interfaceName)
    {
        if (options.Value.Transport == VrrpTransportKind.InMemory)
        {
            InMemoryNetwork network = (InMemoryNetwork?)services.GetService(typeof(InMemoryNetwork))
                ?? throw new InvalidOperationException($"{nameof(VrrpOptions.Transport)} is InMemory but no {nameof(InMemoryNetwork)} is registered.");
            return network.GetOrAddNode(localAddress);
        }

        return new RawSocketTransportFactory(loggerFactory).Create(localAddress, interfaceName);
    }
}
