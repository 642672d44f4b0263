using System.Net;

namespace Vrrp.Transports;

/// <summary>
/// A simulated IP network joining <see cref="InMemoryTransport"/>s, for testing failover logic without sockets.
/// Links can lose, delay, duplicate and partition messages per ordered pair of nodes; randomness comes from a
/// seeded <see cref="Random"/> and every delivery goes through a timer of the <see cref="TimeProvider"/>, so with a
/// fake time provider a whole simulation is deterministic and runs as fast as the CPU allows.
/// </summary>
/// <remarks>
/// <c>FakeTimeProvider.Advance</c> moves its clock to the end of the step before firing the timers due in it, so
/// a message sent from a timer callback is delivered in the next step: advance in steps no longer than the
/// smallest delay you care about (10 ms works well for VRRP).
/// </remarks>
public sealed class InMemoryNetwork
{
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromTicks(1);

    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly Dictionary<IPAddress, InMemoryTransport> _byAddress = [];
    private readonly Dictionary<(InMemoryTransport From, InMemoryTransport To), InMemoryLink> _links = [];
    private readonly List<InMemoryTransport> _nodes = [];
    private readonly HashSet<(InMemoryTransport From, InMemoryTransport To)> _partitions = [];
    private InMemoryLink _defaultLink = InMemoryLink.Perfect;
    private long _sent;
    private long _delivered;
    private long _dropped;
    private long _unroutable;

    /// <summary>Creates an empty network.</summary>
    /// <param name="timeProvider">Drives every delivery; use a fake one for deterministic tests.</param>
    /// <param name="seed">Seeds the random source of loss, duplication and jitter.</param>
    public InMemoryNetwork(TimeProvider timeProvider, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        _random = new Random(seed);
    }

    /// <summary>The time provider that drives deliveries.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The conditions of every link without its own <see cref="SetLink"/>.</summary>
    public InMemoryLink DefaultLink
    {
        get { lock (_lock) { return _defaultLink; } }
        set { ArgumentNullException.ThrowIfNull(value); lock (_lock) { _defaultLink = value; } }
    }

    /// <summary>The nodes attached.</summary>
    public IReadOnlyList<InMemoryTransport> Nodes { get { lock (_lock) { return [.. _nodes]; } } }

    /// <summary>Messages accepted from senders.</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Messages (copies, counting duplicates) delivered to receivers.</summary>
    public long MessagesDelivered => Interlocked.Read(ref _delivered);

    /// <summary>Messages lost to partitions, random loss or a crashed receiver.</summary>
    public long MessagesDropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages sent to an address no node owns.</summary>
    public long MessagesUnroutable => Interlocked.Read(ref _unroutable);

    /// <summary>Attaches a node owning <paramref name="addresses"/> and returns its transport.</summary>
    /// <exception cref="ArgumentException">No address given, or an address already belongs to another node.</exception>
    public InMemoryTransport AddNode(params IPAddress[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Length == 0)
        {
            throw new ArgumentException("A node owns at least one address.", nameof(addresses));
        }

        lock (_lock)
        {
            foreach (IPAddress address in addresses)
            {
                ArgumentNullException.ThrowIfNull(address, nameof(addresses));
                if (_byAddress.ContainsKey(address))
                {
                    throw new ArgumentException($"The address {address} already belongs to a node.", nameof(addresses));
                }
            }

            InMemoryTransport node = new(this, [.. addresses]);
            foreach (IPAddress address in addresses)
            {
                _byAddress.Add(address, node);
            }

            _nodes.Add(node);
            return node;
        }
    }

    /// <summary>
    /// The node owning <paramref name="address"/>, attached now if none does: a host that stops and starts its instances
    /// again (a reload) gets its node back, with its links and partitions.
    /// </summary>
    internal InMemoryTransport GetOrAddNode(IPAddress address)
    {
        lock (_lock)
        {
            if (_byAddress.TryGetValue(address, out InMemoryTransport? existing))
            {
                return existing;
            }
        }

        return AddNode(address);
    }

    /// <summary>Sets the conditions of the direction <paramref name="from"/> → <paramref name="to"/>.</summary>
    public void SetLink(InMemoryTransport from, InMemoryTransport to, InMemoryLink link)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(link);
        lock (_lock)
        {
            _links[(from, to)] = link;
        }
    }

    /// <summary>The conditions of the direction <paramref name="from"/> → <paramref name="to"/>.</summary>
    public InMemoryLink GetLink(InMemoryTransport from, InMemoryTransport to)
    {
        lock (_lock)
        {
            return _links.TryGetValue((from, to), out InMemoryLink? link) ? link : _defaultLink;
        }
    }

    /// <summary>Removes every link's own conditions: all follow <see cref="DefaultLink"/> again (partitions are kept).</summary>
    public void ResetLinks()
    {
        lock (_lock)
        {
            _links.Clear();
        }
    }

    /// <summary>Stops traffic in the direction <paramref name="from"/> → <paramref name="to"/> until healed (link conditions are kept for later).</summary>
    public void Partition(InMemoryTransport from, InMemoryTransport to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        lock (_lock)
        {
            _partitions.Add((from, to));
        }
    }

    /// <summary>Restores traffic in the direction <paramref name="from"/> → <paramref name="to"/>.</summary>
    public void Heal(InMemoryTransport from, InMemoryTransport to)
    {
        lock (_lock)
        {
            _partitions.Remove((from, to));
        }
    }

    /// <summary>Whether the direction <paramref name="from"/> → <paramref name="to"/> is partitioned.</summary>
    public bool IsPartitioned(InMemoryTransport from, InMemoryTransport to)
    {
        lock (_lock)
        {
            return _partitions.Contains((from, to));
        }
    }

    /// <summary>Splits the nodes into the groups given: traffic passes only within a group, both directions.</summary>
    public void Split(params IReadOnlyCollection<InMemoryTransport>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        for (int i = 0; i < groups.Length; i++)
        {
            for (int j = 0; j < groups.Length; j++)
            {
                foreach (InMemoryTransport a in groups[i])
                {
                    foreach (InMemoryTransport b in groups[j])
                    {
                        if (!ReferenceEquals(a, b))
                        {
                            if (i != j)
                            {
                                Partition(a, b);
                            }
                            else
                            {
                                Heal(a, b);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Removes every partition (link conditions kept).</summary>
    public void HealAll()
    {
        lock (_lock)
        {
            _partitions.Clear();
        }
    }

    internal bool Send(InMemoryTransport from, ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive)
    {
        Delivery? first = null;
        Delivery? second = null;
        lock (_lock)
        {
            if (from.IsCrashed)
            {
                return false;
            }

            _sent++;
            from.CountSent();
            if (!_byAddress.TryGetValue(destination, out InMemoryTransport? to))
            {
                _unroutable++;
                return true;
            }

            InMemoryLink link = _links.TryGetValue((from, to), out InMemoryLink? own) ? own : _defaultLink;
            if (_partitions.Contains((from, to)) || (link.DropProbability > 0 && _random.NextDouble() < link.DropProbability))
            {
                _dropped++;
                return true;
            }

            int ttl = Math.Max(0, timeToLive - link.Hops);
            if (ttl == 0)
            {
                _dropped++;
                return true;
            }

            byte[] payload = message.ToArray();
            first = new Delivery(this, to, payload, source.GetAddressBytes(), destination.GetAddressBytes(), (byte)ttl, NextDelay(link));
            if (link.DuplicateProbability > 0 && _random.NextDouble() < link.DuplicateProbability)
            {
                second = first with { Due = NextDelay(link) };
            }
        }

        first.Schedule();
        second?.Schedule();
        return true;
    }

    private TimeSpan NextDelay(InMemoryLink link)
    {
        TimeSpan delay = link.Delay;
        if (link.Jitter > TimeSpan.Zero)
        {
            delay += TimeSpan.FromTicks((long)(_random.NextDouble() * link.Jitter.Ticks));
        }

        return delay < MinimumDelay ? MinimumDelay : delay;
    }

    private void Deliver(Delivery delivery)
    {
        if (delivery.To.IsCrashed)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        Interlocked.Increment(ref _delivered);
        delivery.To.Deliver(new VrrpDatagram(delivery.Payload, delivery.Source, delivery.Destination, delivery.TimeToLive));
    }

    private sealed record Delivery(InMemoryNetwork Network, InMemoryTransport To, byte[] Payload, byte[] Source, byte[] Destination, byte TimeToLive, TimeSpan Due)
    {
        private ITimer? _timer;

        public void Schedule()
        {
            lock (this)
            {
                _timer = Network.TimeProvider.CreateTimer(static state => ((Delivery)state!).Fire(), this, Due, Timeout.InfiniteTimeSpan);
            }
        }

        private void Fire()
        {
            lock (this)
            {
                _timer?.Dispose();
                _timer = null;
            }

            Network.Deliver(this);
        }
    }
}
