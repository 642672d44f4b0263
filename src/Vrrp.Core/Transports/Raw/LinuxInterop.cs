using System.Runtime.InteropServices;

namespace Vrrp.Transports.Raw;

/// <summary>
/// The few Linux calls .NET has no API for: a raw socket of protocol 112 (.NET refuses it before asking the
/// kernel), and recvmsg with ancillary data (IPv6 hop limit and destination).
/// </summary>
internal static unsafe partial class LinuxInterop
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_BINDTODEVICE = 25;
    public const int IPPROTO_IP = 0;
    public const int IPPROTO_IPV6 = 41;
    public const int IP_TOS = 1;
    public const int IP_TTL = 2;
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_RECVPKTINFO = 49;
    public const int IPV6_PKTINFO = 50;
    public const int IPV6_RECVHOPLIMIT = 51;
    public const int IPV6_HOPLIMIT = 52;
    public const int IPV6_TCLASS = 67;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_TRUNC = 0x20;
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EPERM = 1;
    public const int EACCES = 13;
    public const int EPROTONOSUPPORT = 93;
    public const int EAFNOSUPPORT = 97;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static int SetInt(int fd, int level, int name, int value) => SetSockOpt(fd, level, name, &value, sizeof(int));

    /// <summary>The CMSG_ALIGN of Linux on 64-bit (and 32-bit) targets: the size of size_t.</summary>
    public static int CmsgAlign(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    public static int CmsgHeaderSize => CmsgAlign(sizeof(nuint) + (2 * sizeof(int)));
}
