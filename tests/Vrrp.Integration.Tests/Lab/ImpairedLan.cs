using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>What a direction of the LAN does to frames, with <c>tc netem</c>'s meaning: loss, delay ± jitter (uniform),
/// reordering (that share goes out at once, the rest after the delay), duplication. Percentages 0–100.</summary>
public sealed record Impairment(double LossPercent = 0, TimeSpan Delay = default, TimeSpan Jitter = default, double ReorderPercent = 0, double DuplicatePercent = 0)
{
    public static Impairment None { get; } = new();

    public static Impairment Cut { get; } = new(LossPercent: 100);

    public override string ToString() => this == None ? "none" :
        $"loss {LossPercent}% delay {Delay.TotalMilliseconds}ms ±{Jitter.TotalMilliseconds}ms reorder {ReorderPercent}% duplicate {DuplicatePercent}%";
}

/// <summary>
/// A LAN whose faults we control: hosts (a namespace each, <c>eth0</c>) joined to a hub namespace by veth pairs,
/// and, instead of a kernel bridge, a forwarder in this process that reads every frame arriving on a hub port
/// (AF_PACKET) and sends it out of the other ports — dropping, delaying, reordering or duplicating it per direction
/// like <c>tc netem</c>. Used where the kernel has no netem qdisc (CONFIG_NET_SCH_NETEM off, as on our CI's VMs);
/// the semantics are netem's on the sender's egress (<see cref="SetEgress"/>) and on the hub port toward a host
/// (<see cref="SetIngress"/>). Namespaces, sockets and threads are gone after <see cref="Dispose"/>, also on failure.
/// </summary>
public sealed class ImpairedLan : IDisposable
{
    private const int AF_PACKET = 17;
    private const int SOCK_RAW = 3;
    private const ushort ETH_P_ALL_BE = 0x0300;
    private const byte PACKET_OUTGOING = 4;

    private readonly List<Port> _ports = [];
    private readonly PriorityQueue<(Port To, byte[] Frame), (long Due, long Sequence)> _queue = new();
    private readonly object _lock = new();
    private readonly Random _random = new(47);
    private readonly Thread _scheduler;
    private long _sequence;
    private volatile bool _stopped;

    public ImpairedLan()
    {
        Lab = new NetnsLab();
        Hub = Lab.AddNamespace("hub");
        _scheduler = new Thread(Schedule) { IsBackground = true, Name = "impaired-lan" };
        _scheduler.Start();
    }

    public NetnsLab Lab { get; }

    public string Hub { get; }

    /// <summary>Frames the forwarder dropped, delayed and sent so far (all ports).</summary>
    public (long Received, long Dropped, long Sent) Counters
    {
        get
        {
            lock (_lock)
            {
                return (_ports.Sum(p => p.Received), _ports.Sum(p => p.Dropped), _ports.Sum(p => p.Sent));
            }
        }
    }

    /// <summary>Adds a host namespace with <c>eth0</c> on the hub and its IPv4 addresses; returns the namespace.</summary>
    public string AddHost(string shortName, params string[] addresses)
    {
        string ns = Lab.AddNamespace(shortName);
        string portName = $"p{shortName}";
        NetnsLab.Ip($"-n {ns} link add eth0 type veth peer name {portName} netns {Hub}");
        NetnsLab.Ip($"-n {Hub} link set {portName} up");
        foreach (string address in addresses)
        {
            NetnsLab.Ip($"-n {ns} addr add {address} dev eth0");
        }

        NetnsLab.Ip($"-n {ns} link set eth0 up");
        int fd = NetnsLab.InNamespace(Hub, () => OpenPort(portName));
        Port port = new(shortName, fd, IfIndex(portName));
        lock (_lock)
        {
            _ports.Add(port);
        }

        port.Thread = new Thread(() => Receive(port)) { IsBackground = true, Name = $"impaired-lan {shortName}" };
        port.Thread.Start();
        return ns;
    }

    /// <summary>What happens to frames the host sends (netem on its eth0 egress).</summary>
    public void SetEgress(string shortName, Impairment impairment) => Find(shortName).FromHost = impairment;

    /// <summary>What happens to frames toward the host (netem on its hub port's egress).</summary>
    public void SetIngress(string shortName, Impairment impairment) => Find(shortName).ToHost = impairment;

    /// <summary>Every direction back to a perfect wire.</summary>
    public void Heal()
    {
        lock (_lock)
        {
            foreach (Port port in _ports)
            {
                port.FromHost = Impairment.None;
                port.ToHost = Impairment.None;
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }

        foreach (Port port in _ports)
        {
            port.Thread?.Join(2000);
            _ = close(port.Fd);
        }

        _scheduler.Join(2000);
        Lab.Dispose();
    }

    private Port Find(string shortName)
    {
        lock (_lock)
        {
            return _ports.Single(p => p.Name == shortName);
        }
    }

    private int IfIndex(string portName)
    {
        string output = NetnsLab.Ip($"-n {Hub} -o link show dev {portName}");
        return int.Parse(output.AsSpan(0, output.IndexOf(':', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int OpenPort(string portName)
    {
        int fd = socket(AF_PACKET, SOCK_RAW, ETH_P_ALL_BE);
        if (fd < 0)
        {
            throw new InvalidOperationException($"AF_PACKET socket failed: errno {Marshal.GetLastPInvokeError()}");
        }

        SockaddrLl address = new() { Family = AF_PACKET, Protocol = ETH_P_ALL_BE, IfIndex = (int)if_nametoindex(portName) };
        if (bind(fd, ref address, Marshal.SizeOf<SockaddrLl>()) != 0)
        {
            throw new InvalidOperationException($"bind to {portName} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // A receive timeout, so the thread sees Dispose.
        long[] timeout = [0, 100_000];
        _ = setsockopt(fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, timeout, 16);
        return fd;
    }

    private void Receive(Port from)
    {
        byte[] buffer = new byte[9216];
        while (!_stopped)
        {
            SockaddrLl source = default;
            int length = Marshal.SizeOf<SockaddrLl>();
            nint read = recvfrom(from.Fd, buffer, buffer.Length, 0, ref source, ref length);
            if (read <= 0 || source.PktType == PACKET_OUTGOING)
            {
                continue;
            }

            byte[] frame = buffer.AsSpan(0, (int)read).ToArray();
            long now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                from.Received++;
                foreach (Port to in _ports)
                {
                    if (to != from)
                    {
                        Enqueue(frame, from.FromHost, to, now);
                    }
                }

                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Under the lock: egress of the sender, then egress of the hub port toward the receiver.</summary>
    private void Enqueue(byte[] frame, Impairment first, Port to, long now)
    {
        int copies = 1 + (Hit(first.DuplicatePercent) ? 1 : 0) + (Hit(to.ToHost.DuplicatePercent) ? 1 : 0);
        for (int i = 0; i < copies; i++)
        {
            if (Hit(first.LossPercent) || Hit(to.ToHost.LossPercent))
            {
                to.Dropped++;
                continue;
            }

            TimeSpan delay = Delay(first) + Delay(to.ToHost);
            _queue.Enqueue((to, frame), (now + (long)(delay.TotalSeconds * Stopwatch.Frequency), _sequence++));
        }
    }

    private TimeSpan Delay(Impairment impairment)
    {
        if (impairment.Delay <= TimeSpan.Zero || Hit(impairment.ReorderPercent))
        {
            return TimeSpan.Zero;
        }

        TimeSpan jitter = impairment.Jitter * ((_random.NextDouble() * 2) - 1);
        return impairment.Delay + jitter > TimeSpan.Zero ? impairment.Delay + jitter : TimeSpan.Zero;
    }

    private bool Hit(double percent) => percent > 0 && _random.NextDouble() * 100 < percent;

    private void Schedule()
    {
        List<(Port To, byte[] Frame)> due = [];
        while (!_stopped)
        {
            lock (_lock)
            {
                long now = Stopwatch.GetTimestamp();
                while (_queue.TryPeek(out (Port To, byte[] Frame) item, out (long Due, long Sequence) when) && when.Due <= now)
                {
                    _queue.Dequeue();
                    due.Add(item);
                }

                if (due.Count == 0)
                {
                    int wait = _queue.TryPeek(out _, out (long Due, long Sequence) next)
                        ? (int)Math.Clamp((next.Due - now) * 1000 / Stopwatch.Frequency, 1, 100)
                        : 100;
                    Monitor.Wait(_lock, wait);
                    continue;
                }
            }

            foreach ((Port to, byte[] frame) in due)
            {
                SockaddrLl address = new() { Family = AF_PACKET, Protocol = ETH_P_ALL_BE, IfIndex = to.IfIndex, HaLen = 6 };
                // Errors (a port whose host took its link down) are the wire losing the frame.
                if (sendto(to.Fd, frame, frame.Length, 0, ref address, Marshal.SizeOf<SockaddrLl>()) > 0)
                {
                    Interlocked.Increment(ref to.Sent);
                }
            }

            due.Clear();
        }
    }

    private sealed class Port(string name, int fd, int ifIndex)
    {
        public string Name { get; } = name;

        public int Fd { get; } = fd;

        public int IfIndex { get; } = ifIndex;

        public Thread? Thread { get; set; }

        public volatile Impairment FromHost = Impairment.None;

        public volatile Impairment ToHost = Impairment.None;

        public long Received;

        public long Dropped;

        public long Sent;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Address;
    }

#pragma warning disable SYSLIB1054 // a handful of libc calls in a test helper
    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int bind(int fd, ref SockaddrLl address, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, long[] value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recvfrom(int fd, byte[] buffer, nint length, int flags, ref SockaddrLl address, ref int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendto(int fd, byte[] buffer, nint length, int flags, ref SockaddrLl address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern uint if_nametoindex(string name);
#pragma warning restore SYSLIB1054
}
