using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Vrrp.Actions;

/// <summary>
/// Sends gratuitous ARP (IPv4) and unsolicited neighbour advertisements (IPv6) for addresses on one interface,
/// frames built with PacketDotNet and sent through a libpcap device opened inside the interface's namespace.
/// </summary>
internal sealed class NeighborAnnouncer : IDisposable
{
    private static readonly PhysicalAddress Broadcast = PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF");
    private static readonly PhysicalAddress AllNodesMac = PhysicalAddress.Parse("33-33-00-00-00-01");
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    private readonly Lock _lock = new();
    private readonly string _interface;
    private readonly string? _namespace;
    private LibPcapLiveDevice? _device;
    private PhysicalAddress? _mac;

    public NeighborAnnouncer(string interfaceName, string? networkNamespace)
    {
        _interface = interfaceName;
        _namespace = networkNamespace;
    }

    /// <summary>Sends <paramref name="repeat"/> rounds of one announcement per address; returns how many were sent.</summary>
    /// <exception cref="LocalAddressActionException">The device cannot be opened or a send failed.</exception>
    public int Announce(IReadOnlyList<LocalVirtualAddress> addresses, int repeat, PhysicalAddress mac)
    {
        lock (_lock)
        {
            LibPcapLiveDevice device = Open();
            _mac = mac;
            int sent = 0;
            for (int round = 0; round < repeat; round++)
            {
                foreach (LocalVirtualAddress address in addresses)
                {
                    byte[] frame = address.IsIPv6 ? BuildNeighborAdvertisement(mac, address.Address) : BuildGratuitousArp(mac, address.Address);
                    try
                    {
                        device.SendPacket(frame);
                    }
                    catch (PcapException e)
                    {
                        Close();
                        throw new LocalAddressActionException($"cannot send the announcement of {address.Address} on {Where()}: {e.Message}", e);
                    }

                    sent++;
                }
            }

            return sent;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    /// <summary>A gratuitous ARP request as keepalived sends it: sender and target IP the address, target MAC broadcast.</summary>
    internal static byte[] BuildGratuitousArp(PhysicalAddress mac, IPAddress address)
    {
        ArpPacket arp = new(ArpOperation.Request, Broadcast, address, mac, address);
        EthernetPacket ethernet = new(mac, Broadcast, EthernetType.Arp) { PayloadPacket = arp };
        return ethernet.Bytes;
    }

    /// <summary>An unsolicited neighbour advertisement to all nodes: Override set, target the address, target link-layer address option.</summary>
    internal static byte[] BuildNeighborAdvertisement(PhysicalAddress mac, IPAddress address)
    {
        byte[] icmp = new byte[32];
        icmp[0] = 136; // Neighbor Advertisement
        icmp[4] = 0x20; // Override
        address.GetAddressBytes().CopyTo(icmp, 8);
        icmp[24] = 2; // Target Link-Layer Address
        icmp[25] = 1; // 8 octets
        mac.GetAddressBytes().CopyTo(icmp, 26);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), IcmpV6Checksum(address, AllNodes, icmp));
        IPv6Packet ip = new(address, AllNodes) { HopLimit = 255, NextHeader = ProtocolType.IcmpV6, PayloadData = icmp };
        ip.PayloadLength = (ushort)icmp.Length;
        EthernetPacket ethernet = new(mac, AllNodesMac, EthernetType.IPv6) { PayloadPacket = ip };
        return ethernet.Bytes;
    }

    private static ushort IcmpV6Checksum(IPAddress source, IPAddress destination, ReadOnlySpan<byte> message)
    {
        uint sum = 0;
        Add(source.GetAddressBytes());
        Add(destination.GetAddressBytes());
        sum += (uint)message.Length;
        sum += 58;
        Add(message);
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        ushort result = (ushort)~sum;
        return result == 0 ? (ushort)0xFFFF : result;

        void Add(ReadOnlySpan<byte> data)
        {
            for (int i = 0; i + 1 < data.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            }

            if (data.Length % 2 == 1)
            {
                sum += (uint)data[^1] << 8;
            }
        }
    }

    private LibPcapLiveDevice Open()
    {
        if (_device is not null)
        {
            return _device;
        }

        _device = NetworkNamespace.Run(_namespace, () =>
        {
            LibPcapLiveDevice device;
            try
            {
                device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == _interface)
                    ?? throw new LocalAddressActionException($"interface {Where()} not found by libpcap");
                device.Open(DeviceModes.None, 100);
            }
            catch (PcapException e)
            {
                throw new LocalAddressActionException($"cannot open {Where()} to send announcements (needs root or CAP_NET_RAW): {e.Message}", e);
            }
            catch (DllNotFoundException e)
            {
                throw new LocalAddressActionException($"cannot send announcements on {Where()}: libpcap is not installed ({e.Message})", e);
            }

            return device;
        });
        return _device;
    }

    private void Close()
    {
        _device?.Close();
        _device?.Dispose();
        _device = null;
    }

    private string Where() => _namespace is null ? _interface : $"{_interface} (namespace {_namespace})";
}
