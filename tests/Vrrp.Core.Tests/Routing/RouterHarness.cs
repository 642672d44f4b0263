using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

/// <summary>One router on a fake clock, with every output recorded in order.</summary>
internal sealed class RouterHarness : IVrrpAdvertisementSender, IDisposable
{
    public static readonly IPAddress Self = IPAddress.Parse("10.0.0.2");
    public static readonly IPAddress LowerPeer = IPAddress.Parse("10.0.0.1");
    public static readonly IPAddress HigherPeer = IPAddress.Parse("10.0.0.3");
    public static readonly IPAddress Stranger = IPAddress.Parse("10.9.9.9");
    public static readonly IPAddress Vip = IPAddress.Parse("10.0.0.100");

    public RouterHarness(Action<VirtualRouterOptions>? configure = null)
    {
        Options = CreateOptions();
        configure?.Invoke(Options);
        Router = new VirtualRouter(Options, Time, this);
        Router.StateChanged += (_, t) => { Transitions.Add(t); Log.Add($"{t.NewState}:{t.Reason}"); };
        Router.AddressesAnnounced += (_, a) => Log.Add("announce");
        Router.LowerPriorityAdvertisementReceived += (_, e) => { LowerHeard.Add(e); Log.Add($"lower:{e.Priority}"); };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public VirtualRouterOptions Options { get; }

    public VirtualRouter Router { get; }

    public List<VrrpAdvertisement> Sent { get; } = [];

    public List<VrrpTransition> Transitions { get; } = [];

    public List<VrrpLowerPriorityAdvertisement> LowerHeard { get; } = [];

    public List<string> Log { get; } = [];

    public static VirtualRouterOptions CreateOptions() => new()
    {
        Name = "VI_1",
        VirtualRouterId = 47,
        Priority = 100,
        UnicastSource = Self,
        Peers = [new VrrpPeer(LowerPeer), new VrrpPeer(HigherPeer)],
        VirtualAddresses = [Vip],
    };

    public void Send(VirtualRouter router, in VrrpAdvertisement advertisement)
    {
        Sent.Add(advertisement);
        Log.Add($"send:{advertisement.Priority}");
    }

    public VrrpAdvertisement Advert(int priority, TimeSpan? interval = null, IPAddress[]? addresses = null)
    {
        addresses ??= [Vip];
        return Options.Version == VrrpVersion.V2
            ? VrrpAdvertisement.CreateV2((byte)Options.VirtualRouterId, (byte)priority, (int)(interval ?? Options.AdvertisementInterval).TotalSeconds, addresses,
                Options.AuthType, Options.AuthType == VrrpAuthType.SimplePassword ? VrrpAuthenticationData.FromPassword(Options.AuthPassword!) : default)
            : VrrpAdvertisement.CreateV3((byte)Options.VirtualRouterId, (byte)priority, interval ?? Options.AdvertisementInterval, Options.AddressFamily, addresses);
    }

    /// <summary>Encodes, parses with the codec and hands the view to the router, as a node does.</summary>
    public VrrpParseStatus Receive(in VrrpAdvertisement advert, IPAddress? source = null, byte ttl = 255)
    {
        source ??= HigherPeer;
        byte[] buffer = new byte[VrrpCodec.MaxMessageLength];
        VrrpCodec.TryWrite(advert, buffer, source, Self, VrrpChecksumMode.PseudoHeader, out int written);
        VrrpParseStatus status = VrrpCodec.TryParse(buffer.AsSpan(0, written), source.GetAddressBytes(), Self.GetAddressBytes(), ttl, out VrrpPacket packet);
        if (status == VrrpParseStatus.Success)
        {
            Router.ReceiveAdvertisement(packet);
        }

        return status;
    }

    public void Receive(int priority, IPAddress? source = null, byte ttl = 255) => Receive(Advert(priority), source, ttl);

    public void Advance(TimeSpan delta, TimeSpan? step = null)
    {
        TimeSpan s = step ?? TimeSpan.FromMilliseconds(10);
        for (TimeSpan done = TimeSpan.Zero; done < delta; done += s)
        {
            Time.Advance(done + s <= delta ? s : delta - done);
        }
    }

    public void Dispose() => Router.Dispose();
}
