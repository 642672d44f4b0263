using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Tests.Simulation;
using Vrrp.Transports;

namespace Vrrp.Tests.Routing;

/// <summary>
/// auth_hmac between two nodes on the in-memory network (the same node, codec and router code the raw sockets use):
/// a signed pair elects as an unsigned one does; a wrong key, a replayed or a stale advert, a missing trailer and an
/// unknown key are each rejected before they change anything, and counted under keepalived's names; the rollout
/// modes and a key rotation cause no transition.
/// </summary>
public sealed class HmacRouterTests : IDisposable
{
    private const string Key1 = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string Key2 = "a passphrase of at least thirty-two ascii characters";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryNetwork _network;
    private readonly List<IDisposable> _disposables = [];

    public HmacRouterTests() => _network = new InMemoryNetwork(_time);

    public static TheoryData<int, string> Families => new() { { 2, "192.0.2" }, { 3, "192.0.2" }, { 3, "2001:db8:" } };

    public void Dispose()
    {
        foreach (IDisposable disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_signed_pair_elects_and_every_advert_is_signed_and_verified(int version, string prefix)
    {
        Pair pair = Start(version, prefix, Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));

        _time.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Master, pair.A.State);
        Assert.Equal(VrrpState.Backup, pair.B.State);
        Assert.True(pair.B.GetStatistics().AdvertisementsReceived >= 5);
        Assert.Equal(0, pair.B.GetStatistics().TotalDropped);
        Assert.All(pair.AtB, d => Assert.Equal(VrrpAdvertisement.GetMessageLength((VrrpVersion)version,
            prefix.Contains(':', StringComparison.Ordinal) ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork, 1) + VrrpHmac.TrailerLength, d.Length));
    }

    [Fact]
    public void A_wrong_key_is_rejected_by_both_and_both_become_master()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key2)));

        _time.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Master, pair.A.State);
        Assert.Equal(VrrpState.Master, pair.B.State);
        Assert.True(pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacInvalid) >= 5);
        Assert.True(pair.A.GetStatistics().GetDrops(VrrpDropReason.AuthHmacInvalid) >= 5);
        Assert.True(pair.B.GetStatistics().ToDictionary()["auth_ext_invalid_hmac"] >= 5);
    }

    [Fact]
    public void A_replayed_advert_is_rejected_and_counted_and_changes_nothing()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(5));
        byte[] captured = pair.AtB.Last();
        _time.Run(TimeSpan.FromSeconds(1));
        long before = pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacReplay);

        // The capture, sent again from A's address: a valid MAC, a sequence B has already passed.
        Spoof(pair, captured);
        _time.Run(TimeSpan.FromMilliseconds(50));

        Assert.Equal(before + 1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacReplay));
        Assert.Equal(VrrpState.Backup, pair.B.State);
    }

    [Fact]
    public void A_real_advert_with_its_priority_changed_to_zero_fails_the_mac_and_cannot_make_the_backup_take_over()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(5));

        // Forge nothing: re-send a real advert with its priority byte changed to 0 and the checksum fixed — the MAC fails.
        byte[] forged = pair.AtB.Last();
        forged[2] = 0;
        FixChecksum(forged, pair.AAddress, pair.BAddress);
        Spoof(pair, forged);
        _time.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacInvalid));
        Assert.Equal(0, pair.B.GetStatistics().PriorityZeroReceived);
        Assert.Equal(VrrpState.Backup, pair.B.State);
    }

    [Fact]
    public void An_advert_replayed_after_the_time_window_is_stale_and_one_within_it_replayed()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(5));
        byte[] captured = pair.AtB.Last();
        pair.ATransport.Crash();
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Master, pair.B.State);

        Spoof(pair, captured);
        _time.Run(TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacStale));
        Assert.Equal(VrrpState.Master, pair.B.State);
    }

    [Fact]
    public void With_monotonic_anti_replay_an_old_capture_is_a_replay_however_late()
    {
        VrrpHmacOptions a = Hmac(1, (1, Key1));
        VrrpHmacOptions b = Hmac(1, (1, Key1));
        a.AntiReplay = b.AntiReplay = VrrpHmacAntiReplay.Monotonic;
        Pair pair = Start(3, "192.0.2", a, b);
        _time.Run(TimeSpan.FromSeconds(5));
        byte[] captured = pair.AtB[1];
        _time.Run(TimeSpan.FromSeconds(60));

        Spoof(pair, captured);
        _time.Run(TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacReplay));
        Assert.Equal(0, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacStale));
        Assert.Equal(VrrpState.Backup, pair.B.State);
    }

    [Fact]
    public void Without_a_trailer_enforce_rejects_and_permissive_and_receive_only_accept()
    {
        Pair enforce = Start(3, "192.0.2", null, Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Master, enforce.B.State);
        Assert.True(enforce.B.GetStatistics().ToDictionary()["auth_ext_missing"] >= 5);

        foreach ((VrrpHmacMode mode, string prefix) in new[] { (VrrpHmacMode.Permissive, "198.51.100"), (VrrpHmacMode.ReceiveOnly, "203.0.113") })
        {
            VrrpHmacOptions b = Hmac(1, (1, Key1));
            b.Mode = mode;
            Pair pair = Start(3, prefix, null, b);
            _time.Run(TimeSpan.FromSeconds(10));
            Assert.Equal(VrrpState.Backup, pair.B.State);
            Assert.Equal(0, pair.B.GetStatistics().TotalDropped);
        }
    }

    [Fact]
    public void Receive_only_does_not_sign_and_an_instance_without_auth_hmac_drops_a_signed_advert()
    {
        VrrpHmacOptions a = Hmac(1, (1, Key1));
        a.Mode = VrrpHmacMode.ReceiveOnly;
        Pair unsigned = Start(3, "192.0.2", a, null);
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.All(unsigned.AtB, d => Assert.Equal(12, d.Length));
        Assert.Equal(VrrpState.Backup, unsigned.B.State);

        Pair signed = Start(3, "198.51.100", Hmac(1, (1, Key1)), null);
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Master, signed.B.State);
        Assert.True(signed.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacUnexpected) >= 5);
    }

    [Fact]
    public void An_unknown_key_id_is_told_apart_from_a_bad_mac()
    {
        Pair pair = Start(3, "192.0.2", Hmac(2, (2, Key1)), Hmac(1, (1, Key1)));

        _time.Run(TimeSpan.FromSeconds(10));

        Assert.True(pair.B.GetStatistics().ToDictionary()["auth_ext_unknown_key"] >= 5);
        Assert.Equal(0, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacInvalid));
    }

    [Fact]
    public void Receivers_accept_every_configured_key_so_a_rotation_is_hitless()
    {
        // Mid-rotation: A already signs with key 2, B still with key 1; each holds both.
        Pair pair = Start(3, "192.0.2", Hmac(2, (1, Key1), (2, Key2)), Hmac(1, (1, Key1), (2, Key2)));

        _time.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Master, pair.A.State);
        Assert.Equal(VrrpState.Backup, pair.B.State);
        Assert.Equal(0, pair.B.GetStatistics().TotalDropped);
        Assert.Single(pair.BTransitions, t => t.NewState == VrrpState.Backup);
        Assert.DoesNotContain(pair.BTransitions, t => t.NewState == VrrpState.Master);
    }

    [Fact]
    public void The_send_sequence_grows_within_a_tick_and_restarts_from_the_clock_after_a_step_back_beyond_the_window()
    {
        VrrpHmacState state = new(Hmac(1, (1, Key1)), TimeSpan.FromSeconds(1), 1);
        _disposables.Add(state);
        DateTimeOffset now = _time.GetUtcNow();
        ulong first = state.NextSequence(now);
        ulong second = state.NextSequence(now);
        Assert.Equal(first + 1, second);

        // A clock stepped back 3 s (within the 5 s window) keeps growing; 60 s back restarts from the clock.
        Assert.True(VrrpHmac.IsAfter(state.NextSequence(now.AddSeconds(-3)), second));
        Assert.Equal(VrrpHmac.SequenceAt(now.AddSeconds(-60)), state.NextSequence(now.AddSeconds(-60)));
    }

    [Fact]
    public void A_sender_whose_clock_was_ahead_and_stepped_back_is_accepted_again_once_its_mark_leaves_the_window()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(5));
        pair.ATransport.Crash();

        // A's clock ran 4 s ahead (still within the 5 s window): accepted, and B's mark is 4 s in the future.
        Spoof(pair, SignedByA(pair, _time.GetUtcNow().AddSeconds(4)));
        _time.Run(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, pair.B.GetStatistics().TotalDropped);

        // Stepped back to the right time: behind the mark, so a replay — until the mark is older than the window.
        Spoof(pair, SignedByA(pair, _time.GetUtcNow()));
        _time.Run(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacReplay));
        _time.Run(TimeSpan.FromSeconds(10));
        Spoof(pair, SignedByA(pair, _time.GetUtcNow()));
        _time.Run(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacReplay));
        Assert.Equal(0, pair.B.GetStatistics().GetDrops(VrrpDropReason.AuthHmacStale));
        Assert.Equal(VrrpState.Backup, pair.B.State);
    }

    [Fact]
    public void Keys_appear_in_no_snapshot_and_no_description()
    {
        Pair pair = Start(3, "192.0.2", Hmac(1, (1, Key1)), Hmac(1, (1, Key1)));
        _time.Run(TimeSpan.FromSeconds(5));

        string json = Vrrp.Diagnostics.VrrpSnapshot.Create([pair.A, pair.B], new Dictionary<string, DateTimeOffset>()).ToJson();

        Assert.DoesNotContain("000102030405", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("000102030405", pair.A.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("auth_ext_invalid_hmac", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_name_each_problem_and_never_the_key()
    {
        VirtualRouterOptions options = new()
        {
            Name = "VI_1", VirtualRouterId = 51, UnicastSource = IPAddress.Parse("192.0.2.1"), Peers = [new VrrpPeer(IPAddress.Parse("192.0.2.2"))],
            AuthType = VrrpAuthType.SimplePassword, AuthPassword = "secret",
            AuthHmac = new VrrpHmacOptions
            {
                Keys = [new VrrpHmacKeyOptions { Id = 1, Key = "hex:00112233" }, new VrrpHmacKeyOptions { Id = 1, Key = "short secret" }],
                ActiveKey = 3,
                TimeWindow = TimeSpan.FromSeconds(301),
            },
        };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("AuthHmac: not with AuthType", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AuthHmac.Keys[0].Key: 4 bytes; a key has 32 to 64", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AuthHmac.Keys[1].Id: key id 1 is defined twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AuthHmac.ActiveKey: 3 is not one of the keys' ids", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AuthHmac.TimeWindow: whole seconds 1..300", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("00112233", StringComparison.Ordinal) || e.Contains("short secret", StringComparison.Ordinal));
    }

    private static VrrpHmacOptions Hmac(int active, params (int Id, string Key)[] keys) => new()
    {
        Keys = [.. keys.Select(k => new VrrpHmacKeyOptions { Id = k.Id, Key = k.Key })],
        ActiveKey = active,
    };

    private Pair Start(int version, string prefix, VrrpHmacOptions? a, VrrpHmacOptions? b)
    {
        bool v6 = prefix.Contains(':', StringComparison.Ordinal);
        IPAddress aAddress = IPAddress.Parse(v6 ? $"{prefix}:1" : $"{prefix}.1");
        IPAddress bAddress = IPAddress.Parse(v6 ? $"{prefix}:2" : $"{prefix}.2");
        IPAddress vip = IPAddress.Parse(v6 ? $"{prefix}:100" : $"{prefix}.100");
        InMemoryTransport aTransport = _network.AddNode(aAddress);
        InMemoryTransport bTransport = _network.AddNode(bAddress);
        ConcurrentQueue<byte[]> atB = new();
        _disposables.Add(bTransport.RegisterReceiver((in VrrpDatagram d) =>
        {
            if (d.SourceAddress.SequenceEqual(aAddress.GetAddressBytes()))
            {
                atB.Enqueue(d.Message.ToArray());
            }
        }));
        VrrpNode aNode = new(aTransport, _time);
        VrrpNode bNode = new(bTransport, _time);
        _disposables.Add(aNode);
        _disposables.Add(bNode);
        VirtualRouter routerA = aNode.AddRouter(Options(version, 150, aAddress, bAddress, vip, a));
        VirtualRouter routerB = bNode.AddRouter(Options(version, 100, bAddress, aAddress, vip, b));
        List<VrrpTransition> bTransitions = [];
        routerB.StateChanged += (_, t) => bTransitions.Add(t);
        aNode.Start();
        bNode.Start();
        return new Pair(routerA, routerB, aTransport, aAddress, bAddress, atB, bTransitions, _network.AddNode(IPAddress.Parse(v6 ? $"{prefix}:66" : $"{prefix}.66")));
    }

    private static VirtualRouterOptions Options(int version, int priority, IPAddress self, IPAddress peer, IPAddress vip, VrrpHmacOptions? hmac) => new()
    {
        Name = "VI_51",
        VirtualRouterId = 51,
        Version = (VrrpVersion)version,
        Priority = priority,
        UnicastSource = self,
        Peers = [new VrrpPeer(peer)],
        VirtualAddresses = [vip],
        AuthHmac = hmac,
    };

    /// <summary>A priority-150 advert as A would send it, signed with key 1 at <paramref name="at"/>.</summary>
    private static byte[] SignedByA(Pair pair, DateTimeOffset at)
    {
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(51, 150, TimeSpan.FromSeconds(1), System.Net.Sockets.AddressFamily.InterNetwork, [IPAddress.Parse("192.0.2.100")]);
        byte[] buffer = new byte[advert.MessageLength + VrrpHmac.TrailerLength];
        byte[] source = pair.AAddress.GetAddressBytes();
        byte[] destination = pair.BAddress.GetAddressBytes();
        VrrpCodec.TryWrite(advert, buffer, source, destination, VrrpChecksumMode.PseudoHeader, out int length);
        Assert.True(new VrrpHmacKeyOptions { Id = 1, Key = Key1 }.TryResolve(out byte[]? material, out _));
        using VrrpHmacKey key = new(1, material);
        byte[] trailer = new byte[VrrpHmac.TrailerLength];
        VrrpHmac.Sign(key, buffer.AsSpan(0, length), source, VrrpHmac.SequenceAt(at), trailer);
        VrrpCodec.TryAppendTrailer(buffer, length, trailer, source, destination, out _);
        return buffer;
    }

    private static void Spoof(Pair pair, byte[] datagram) => pair.Attacker.Send(datagram, pair.AAddress, pair.BAddress, 255);

    private static void FixChecksum(byte[] datagram, IPAddress source, IPAddress destination)
    {
        int length = datagram.Length - VrrpHmac.TrailerLength;
        ushort checksum = VrrpChecksum.Compute(datagram.AsSpan(0, length), source, destination, VrrpChecksumMode.PseudoHeader);
        datagram[6] = (byte)(checksum >> 8);
        datagram[7] = (byte)checksum;
    }

    private sealed record Pair(VirtualRouter A, VirtualRouter B, InMemoryTransport ATransport, IPAddress AAddress, IPAddress BAddress,
        ConcurrentQueue<byte[]> Captured, List<VrrpTransition> BTransitions, InMemoryTransport Attacker)
    {
        public byte[][] AtB => [.. Captured];
    }
}
