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
/// <remarks>
/// One announcer — one capture device (about 2 MiB of native memory) and one <see cref="AnnouncementPacer"/> — is
/// shared by every user of the same (namespace, interface, clock): <see cref="Acquire"/> counts users,
/// <see cref="Release"/> closes the device when the last one leaves. The device opens on first use; a failed send
/// closes it (the caller gets the error) and the next send, whoever makes it, opens it again.
/// </remarks>
internal sealed class NeighborAnnouncer
{
    private static readonly PhysicalAddress Broadcast = PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF");
    private static readonly PhysicalAddress AllNodesMac = PhysicalAddress.Parse("33-33-00-00-00-01");
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    private static readonly Lock SharedLock = new();
    private static readonly Dictionary<(string Interface, string? Namespace, TimeProvider Time), NeighborAnnouncer> Shared = [];
    private readonly Lock _lock = new();
    private readonly (string Interface, string? Namespace, TimeProvider Time) _key;
    private readonly AnnouncementPacer _pacer;
    private LibPcapLiveDevice? _device;
    private int _users;
    private bool _released;

    private NeighborAnnouncer((string Interface, string? Namespace, TimeProvider Time) key)
    {
        _key = key;
        _pacer = new AnnouncementPacer(key.Time);
    }

    /// <summary>How many capture devices are open now in a namespace (<see langword="null"/>: the process's own), for diagnostics and tests.</summary>
    internal static int OpenDevices(string? networkNamespace)
    {
        lock (SharedLock)
        {
            return Shared.Values.Count(a => a._key.Namespace == networkNamespace && a._device is not null);
        }
    }

    /// <summary>The shared announcer of an interface, one more user counted; give it back with <see cref="Release"/>.</summary>
    public static NeighborAnnouncer Acquire(string interfaceName, string? networkNamespace, TimeProvider timeProvider)
    {
        (string, string?, TimeProvider) key = (interfaceName, networkNamespace, timeProvider);
        lock (SharedLock)
        {
            if (!Shared.TryGetValue(key, out NeighborAnnouncer? announcer))
            {
                announcer = new NeighborAnnouncer(key);
                Shared.Add(key, announcer);
            }

            announcer._users++;
            return announcer;
        }
    }

    /// <summary>One user fewer; the last one closes the device. Call once per <see cref="Acquire"/>.</summary>
    public void Release()
    {
        lock (SharedLock)
        {
            if (--_users > 0)
            {
                return;
            }

            Shared.Remove(_key);
        }

        lock (_lock)
        {
            _released = true;
            Close();
        }

        _pacer.Dispose();
    }

    /// <summary>
    /// Sends <paramref name="repeat"/> rounds of one announcement per address, each gratuitous ARP at least
    /// <paramref name="garpInterval"/> after the previous one on the interface and each neighbour advertisement at
    /// least <paramref name="gnaInterval"/> after the previous one (keepalived's <c>vrrp_garp_interval</c> /
    /// <c>vrrp_gna_interval</c>); returns how many were sent.
    /// </summary>
    /// <exception cref="LocalAddressActionException">The device cannot be opened or a send failed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for a turn.</exception>
    public async Task<int> AnnounceAsync(IReadOnlyList<LocalVirtualAddress> addresses, int repeat, PhysicalAddress mac, TimeSpan garpInterval, TimeSpan gnaInterval,
        CancellationToken cancellationToken)
    {
        int sent = 0;
        for (int round = 0; round < repeat; round++)
        {
            foreach (LocalVirtualAddress address in addresses)
            {
                byte[] frame = address.IsIPv6 ? BuildNeighborAdvertisement(mac, address.Address) : BuildGratuitousArp(mac, address.Address);
                await _pacer.RunAsync(address.IsIPv6, address.IsIPv6 ? gnaInterval : garpInterval, () => Send(frame, address), cancellationToken).ConfigureAwait(false);
                sent++;
            }
        }

        return sent;
    }

    private bool Send(byte[] frame, LocalVirtualAddress address)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            LibPcapLiveDevice device = Open();
            try
            {
                device.SendPacket(frame);
            }
            catch (PcapException e)
            {
                Close();
                throw new LocalAddressActionException($"cannot send the announcement of {address.Address} on {Where()}: {e.Message}", e);
            }

            return true;
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

        _device = NetworkNamespace.Run(_key.Namespace, () =>
        {
            LibPcapLiveDevice device;
            try
            {
                device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == _key.Interface)
                    ?? throw new LocalAddressActionException($"interface {Where()} not found by libpcap");
                device.Open(DeviceModes.None, 100);

                // libpcap opens its packet socket without close-on-exec: mark it now, so that no script started from
                // here on (ChildProcess seals again before each start) can inherit a raw socket on the VIP's link.
                ChildProcess.SealDescriptors();
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

    private string Where() => _key.Namespace is null ? _key.Interface : $"{_key.Interface} (namespace {_key.Namespace})";
}
