using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>One VRRP flavour of the interop matrix, and the keepalived.conf both implementations read for it.</summary>
public sealed record LabScenario(string Name, int Version, AddressFamily Family, TimeSpan Interval, string? Password = null, bool OldChecksum = false,
    string? Hmac = null)
{
    /// <summary>A 32-byte auth_hmac key (keepalived's documentation example) and a second one for rotations.</summary>
    public const string Key1 = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    public const string Key2 = "hex:f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100";

    /// <summary>The body of an auth_hmac block: keys by id, the active one, and optional mode.</summary>
    public static string HmacBlock(int active, string? mode = null, params (int Id, string Key)[] keys) =>
        string.Concat(keys.Select(k => $"        key {k.Id} {k.Key}\n")) + $"        active_key {active}\n" + (mode is null ? "" : $"        mode {mode}\n");

    public static LabScenario Get(string name) => name switch
    {
        "v2" => new(name, 2, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1)),
        "v2-pass" => new(name, 2, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1), "secret1"),
        "v3" => new(name, 3, AddressFamily.InterNetwork, TimeSpan.FromMilliseconds(100)),
        "v3-1s" => new(name, 3, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1)),
        "v3-old-checksum" => new(name, 3, AddressFamily.InterNetwork, TimeSpan.FromMilliseconds(100), OldChecksum: true),
        "v3-ipv6" => new(name, 3, AddressFamily.InterNetworkV6, TimeSpan.FromMilliseconds(100)),
        "v2-hmac" => new(name, 2, AddressFamily.InterNetwork, TimeSpan.FromSeconds(1), Hmac: HmacBlock(1, null, (1, Key1))),
        "v3-hmac" => new(name, 3, AddressFamily.InterNetwork, TimeSpan.FromMilliseconds(100), Hmac: HmacBlock(1, null, (1, Key1))),
        "v3-ipv6-hmac" => new(name, 3, AddressFamily.InterNetworkV6, TimeSpan.FromMilliseconds(100), Hmac: HmacBlock(1, null, (1, Key1))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public bool IPv6 => Family == AddressFamily.InterNetworkV6;

    public IPAddress Address(int node) => IPv6 ? IPAddress.Parse($"2001:db8::{node}") : IPAddress.Parse($"192.0.2.{node}");

    public string Vip => IPv6 ? "2001:db8::100/64" : "192.0.2.100/24";

    /// <summary>Skew_Time for a priority, as RFC 9568 defines it for this version.</summary>
    public TimeSpan SkewTime(int priority) => Version == 2
        ? TimeSpan.FromSeconds((256 - priority) / 256.0)
        : TimeSpan.FromTicks((256 - priority) * Interval.Ticks / 256);

    public TimeSpan MasterDownInterval(int priority) => (3 * Interval) + SkewTime(priority);

    /// <summary>A keepalived.conf with one unicast instance; both keepalived and <c>vrrp run</c> read it.</summary>
    public string Config(string state, int priority, int self, int peer, string interfaceName, string? password = null, bool nopreempt = false, string extra = "",
        string? hmac = null)
    {
        password ??= Password;
        hmac ??= Hmac;
        if (hmac is { Length: > 0 })
        {
            extra = $"    auth_hmac {{\n{hmac}    }}\n" + extra;
        }

        string interval = Interval.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);
        string auth = password is null ? "" : $"    authentication {{\n        auth_type PASS\n        auth_pass {password}\n    }}\n";
        string hopLimit = IPv6 ? "    unicast_ttl 255\n" : "";
        return $$"""
            global_defs {
                router_id node{{self}}
            }
            vrrp_instance VI_47 {
                state {{state}}
                interface {{interfaceName}}
                virtual_router_id 47
                priority {{priority}}
                advert_int {{interval}}
                version {{Version}}
                unicast_src_ip {{Address(self)}}
                unicast_peer {
                    {{Address(peer)}}
                }
            {{auth}}{{hopLimit}}{{(OldChecksum ? "    old_unicast_checksum\n" : "")}}{{(nopreempt ? "    nopreempt\n" : "")}}{{extra}}    virtual_ipaddress {
                    {{Vip}}
                }
            }

            """;
    }
}

/// <summary>Two namespaces, node 1 and node 2, joined by a veth pair, with IPv4 and IPv6 documentation addresses.</summary>
public sealed class TwoNodeLab : IDisposable
{
    public TwoNodeLab()
    {
        Lab = new NetnsLab();
        Node1 = Lab.AddNamespace("n1");
        Node2 = Lab.AddNamespace("n2");
        Lab.Link(Node1, "veth1", ["192.0.2.1/24", "2001:db8::1/64"], Node2, "veth2", ["192.0.2.2/24", "2001:db8::2/64"]);
    }

    public NetnsLab Lab { get; }

    public string Node1 { get; }

    public string Node2 { get; }

    public void Dispose() => Lab.Dispose();
}
