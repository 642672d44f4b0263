using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Vrrp.Transports.Raw.LinuxInterop;

namespace Vrrp.Transports.Raw;

/// <summary>What one receive produced: where the bytes start in the buffer and the IP facts.</summary>
/// <summary>What a receive gave: where the data is, the IPv6 hop limit and whether the destination came with it (IPv6 ancillary data).</summary>
internal readonly record struct RawReceive(int Offset, int Length, byte HopLimit, bool Truncated, bool HasDestination);

/// <summary>
/// One raw IP socket of protocol 112 for one address family, optionally bound to a local address and device.
/// IPv4 receive includes the IP header (the caller validates it with the codec); IPv6 receive gives the message
/// with source, destination and hop limit from ancillary data. Sends carry the VRRP message only: the kernel
/// builds the IP header (TOS / traffic class 0xC0 as keepalived).
/// </summary>
internal sealed unsafe class RawVrrpSocket : IDisposable
{
    private const int ControlBufferSize = 128;
    private const int MaxCachedDestinations = 64;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly object _sendLock = new();
    private int _currentTtl = -1;

    // Serialised destinations (the peers), so that a send allocates nothing: SendTo(EndPoint) builds a new
    // SocketAddress every call (about 100 bytes per advert). Bounded: further destinations are serialised per send.
    private readonly Dictionary<IPAddress, SocketAddress> _destinations = [];

    private RawVrrpSocket(Socket socket, int fd, AddressFamily family)
    {
        _socket = socket;
        _fd = fd;
        AddressFamily = family;
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>Opens the socket. Throws <see cref="VrrpTransportException"/> with the reason (e.g. missing privilege).</summary>
    public static RawVrrpSocket Open(AddressFamily family, IPAddress? bindAddress, string? device, TimeSpan receiveTimeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new VrrpTransportException("The raw VRRP transport runs on Linux only (it opens IP protocol 112 sockets).");
        }

        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "VRRP runs over IPv4 or IPv6.");
        }

        int domain = family == AddressFamily.InterNetwork ? AF_INET : AF_INET6;
        int fd = LinuxInterop.Socket(domain, SOCK_RAW | SOCK_CLOEXEC, 112);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is EPERM or EACCES
                ? new VrrpTransportException($"Opening a raw IP socket for VRRP (protocol 112, {Name(family)}) needs root or the CAP_NET_RAW capability (errno {errno}: permission denied). Run as root, or grant it: setcap cap_net_raw,cap_net_admin+ep <host binary>.")
                : new VrrpTransportException($"Opening a raw IP socket for VRRP (protocol 112, {Name(family)}) failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
        }

        Socket socket = new(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            if (family == AddressFamily.InterNetwork)
            {
                Check(SetInt(fd, IPPROTO_IP, IP_TOS, 0xC0), "IP_TOS");
            }
            else
            {
                Check(SetInt(fd, IPPROTO_IPV6, IPV6_TCLASS, 0xC0), "IPV6_TCLASS");
                Check(SetInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), "IPV6_RECVHOPLIMIT");
                Check(SetInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), "IPV6_RECVPKTINFO");
            }

            if (!string.IsNullOrEmpty(device))
            {
                byte[] name = System.Text.Encoding.ASCII.GetBytes(device + "\0");
                fixed (byte* p = name)
                {
                    Check(SetSockOpt(fd, SOL_SOCKET, SO_BINDTODEVICE, p, (uint)name.Length), $"SO_BINDTODEVICE {device}");
                }
            }

            if (bindAddress is not null)
            {
                if (bindAddress.AddressFamily != family)
                {
                    throw new VrrpTransportException($"The bind address {bindAddress} is not {Name(family)}.");
                }

                try
                {
                    socket.Bind(new IPEndPoint(bindAddress, 0));
                }
                catch (SocketException e)
                {
                    throw new VrrpTransportException($"Binding the VRRP socket to {bindAddress} failed: {e.Message} (is the address configured on an interface of this host/namespace?)", e);
                }
            }

            socket.ReceiveTimeout = (int)Math.Max(1, receiveTimeout.TotalMilliseconds);
            return new RawVrrpSocket(socket, fd, family);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one VRRP message to <paramref name="destination"/> with the given TTL / hop limit.</summary>
    public void Send(ReadOnlySpan<byte> message, IPAddress destination, byte ttl)
    {
        lock (_sendLock)
        {
            if (_currentTtl != ttl)
            {
                if (AddressFamily == AddressFamily.InterNetwork)
                {
                    Check(SetInt(_fd, IPPROTO_IP, IP_TTL, ttl), "IP_TTL");
                }
                else
                {
                    Check(SetInt(_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl), "IPV6_UNICAST_HOPS");
                }

                _currentTtl = ttl;
            }

            if (!_destinations.TryGetValue(destination, out SocketAddress? address))
            {
                address = new IPEndPoint(destination, 0).Serialize();
                if (_destinations.Count < MaxCachedDestinations)
                {
                    // A copy as the key: the caller's IPAddress is mutable (ScopeId).
                    IPAddress key = destination.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(destination.GetAddressBytes(), destination.ScopeId) : new IPAddress(destination.GetAddressBytes());
                    _destinations.Add(key, address);
                }
            }

            _socket.SendTo(message, SocketFlags.None, address);
        }
    }

    /// <summary>
    /// Blocks until a packet arrives or the receive timeout passes. Allocates nothing: the IPv6 source and destination
    /// are written to <paramref name="source"/> and <paramref name="destination"/> (16 bytes each; IPv4 has them in its header).
    /// </summary>
    /// <returns><see langword="false"/> on timeout (or an interrupted call); otherwise the packet's facts.</returns>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public bool TryReceive(Span<byte> buffer, Span<byte> source, Span<byte> destination, out RawReceive received)
    {
        received = default;
        if (source.Length < 16 || destination.Length < 16)
        {
            throw new ArgumentException("The address buffers must hold 16 bytes.", nameof(source));
        }

        byte* name = stackalloc byte[32];
        byte* control = stackalloc byte[ControlBufferSize];
        fixed (byte* data = buffer)
        {
            IoVec iov = new() { Base = data, Length = (nuint)buffer.Length };
            MsgHdr header = new()
            {
                Name = name,
                NameLength = 32,
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = ControlBufferSize,
            };

            bool added = false;
            _socket.SafeHandle.DangerousAddRef(ref added);
            nint length;
            try
            {
                length = RecvMsg(_fd, &header, MSG_TRUNC);
            }
            finally
            {
                if (added)
                {
                    _socket.SafeHandle.DangerousRelease();
                }
            }

            if (length < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EAGAIN or EINTR)
                {
                    return false;
                }

                throw new VrrpTransportException($"recvmsg on the VRRP socket failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
            }

            bool truncated = (header.Flags & MSG_TRUNC) != 0 || length > buffer.Length;
            int size = (int)Math.Min(length, buffer.Length);
            if (AddressFamily == AddressFamily.InterNetwork)
            {
                // The IPv4 header is in the data; the codec validates it and reads source, destination and TTL.
                received = new RawReceive(0, size, 0, truncated, HasDestination: false);
                return true;
            }

            new ReadOnlySpan<byte>(name + 8, 16).CopyTo(source);
            bool hasDestination = false;
            byte hopLimit = 0;
            int offset = 0;
            int controlLength = (int)header.ControlLength;
            while (offset + CmsgHeaderSize <= controlLength)
            {
                byte* cmsg = control + offset;
                int cmsgLength = (int)*(nuint*)cmsg;
                int level = *(int*)(cmsg + sizeof(nuint));
                int type = *(int*)(cmsg + sizeof(nuint) + sizeof(int));
                if (cmsgLength < CmsgHeaderSize || offset + cmsgLength > controlLength)
                {
                    break;
                }

                byte* payload = cmsg + CmsgHeaderSize;
                if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT && cmsgLength >= CmsgHeaderSize + sizeof(int))
                {
                    hopLimit = (byte)*(int*)payload;
                }
                else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && cmsgLength >= CmsgHeaderSize + 20)
                {
                    new ReadOnlySpan<byte>(payload, 16).CopyTo(destination);
                    hasDestination = true;
                }

                offset += CmsgAlign(cmsgLength);
            }

            received = new RawReceive(0, size, hopLimit, truncated, hasDestination);
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private static string Name(AddressFamily family) => family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new VrrpTransportException($"Setting {what} on the VRRP socket failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
        }
    }
}
