using System.CommandLine;
using Vrrp.Host.Commands;

namespace Vrrp.Host.Tests;

/// <summary><c>vrrp check-config</c> on keepalived.conf and JSON files.</summary>
public sealed class CheckConfigCommandTests : IDisposable
{
    private const string Valid = """
        vrrp_script chk {
            script "/bin/true"
            weight 20
        }
        vrrp_instance VI_1 {
            state MASTER
            priority 102
            virtual_router_id 47
            advert_int 3
            interface eth0
            unicast_src_ip 10.18.16.11
            unicast_peer {
                10.18.18.11
            }
            virtual_ipaddress {
                10.15.85.31
            }
            track_script {
                chk
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_valid_file_exits_0_with_a_summary()
    {
        (int exit, string output, string error) = Check("ok.conf", Valid);

        Assert.Equal(CheckConfigCommand.Valid, exit);
        Assert.Equal("", error);
        Assert.Contains("ok.conf: valid keepalived.conf configuration: 1 instance(s), 1 tracker(s), 0 sync group(s).", output, StringComparison.Ordinal);
        Assert.Contains("VI_1: VRID 47, VRRPv2, priority 102, MASTER at start, advert 3 s", output, StringComparison.Ordinal);
        Assert.Contains("10.18.16.11 -> 10.18.18.11", output, StringComparison.Ordinal);
        Assert.Contains("trackers: script:chk (+20)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_exits_2_with_the_exact_line_and_column()
    {
        (int exit, _, string error) = Check("bad.conf", Valid.Replace("virtual_router_id 47", "virtual_router_id 300", StringComparison.Ordinal));

        Assert.Equal(CheckConfigCommand.Invalid, exit);
        Assert.Contains("error: bad.conf:8:23: virtual_router_id is a whole number 1..255; got '300'", error.Replace(_directory + "/", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_keywords_are_listed_once_with_their_lines()
    {
        string text = Valid.Replace("    state MASTER", "    use_vmac\n    state MASTER", StringComparison.Ordinal) + "\nvrrp_instance VI_2 {\n    use_vmac\n    virtual_router_id 48\n    unicast_src_ip 10.18.16.11\n    unicast_peer {\n        10.18.18.11\n    }\n}\n";

        (int exit, _, string error) = Check("vmac.conf", text);

        Assert.Equal(CheckConfigCommand.Invalid, exit);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string vmac = Assert.Single(lines, l => l.StartsWith("unsupported: 'use_vmac'", StringComparison.Ordinal));
        Assert.Contains("lines 6, 24", vmac, StringComparison.Ordinal);
        Assert.Contains("--ignore-unsupported", error, StringComparison.Ordinal);

        Assert.Equal(CheckConfigCommand.Valid, Check("vmac.conf", text, ignoreUnsupported: true).Exit);
    }

    [Fact]
    public void The_json_form_is_checked_too()
    {
        const string json = """
            {
              "Instances": [
                { "Name": "VI_1", "VirtualRouterId": 47, "Priority": 0, "UnicastSource": "10.18.16.11", "Peers": [ { "Address": "10.18.18.11" } ] }
              ]
            }
            """;

        (int exit, _, string error) = Check("vrrp.json", json);
        Assert.Equal(CheckConfigCommand.Invalid, exit);
        Assert.Contains("vrrp.json:3:46: Instances[0].Priority: must be 1..255; got 0.", error, StringComparison.Ordinal);

        (exit, string output, _) = Check("vrrp.json", json.Replace("\"Priority\": 0", "\"Priority\": 100", StringComparison.Ordinal));
        Assert.Equal(CheckConfigCommand.Valid, exit);
        Assert.Contains("valid JSON configuration: 1 instance(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (string command in new[] { "check-config", "status", "run" })
        {
            StringWriter output = new();
            RootCommand root = new() { CheckConfigCommand.Create(), StatusCommand.Create(), RunCommand.Create() };
            ParseResult parse = root.Parse([command, "--help"]);
            int exit = parse.Invoke(new InvocationConfiguration { Output = output });
            Assert.Equal(0, exit);
            Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_unicast_peer_on_a_connected_subnet_without_min_ttl_255_gets_a_warning()
    {
        const string Conf = """
            vrrp_instance VI_1 {
                priority 102
                virtual_router_id 47
                interface eth0
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                    198.51.100.2
                    192.0.2.3 min_ttl 255
                }
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            """;
        (System.Net.IPAddress, int)[] local = [(System.Net.IPAddress.Parse("192.0.2.1"), 24), (System.Net.IPAddress.Parse("2001:db8::1"), 64)];

        (int exit, _, string error) = Check("peers.conf", Conf, localNetworks: local);

        Assert.Equal(0, exit);
        string warning = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains("min_ttl", StringComparison.Ordinal));
        Assert.Equal("warning: peers.conf:1:1: VI_1: the unicast peer 192.0.2.2 is on this host's subnet 192.0.2.1/24, one link away: "
            + "give it 'min_ttl 255' so that adverts from farther away (a spoofer's, through a router) are dropped", warning);

        // Across routers (no connected subnet), no warning: any TTL must be accepted there.
        Assert.DoesNotContain("min_ttl", Check("peers.conf", Conf, localNetworks: [(System.Net.IPAddress.Parse("203.0.113.1"), 24)]).Error, StringComparison.Ordinal);
    }

    private (int Exit, string Output, string Error) Check(string name, string text, bool ignoreUnsupported = false,
        IReadOnlyList<(System.Net.IPAddress, int)>? localNetworks = null)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        StringWriter output = new();
        StringWriter error = new();
        int exit = CheckConfigCommand.Run(new FileInfo(path), ignoreUnsupported, output, error, localNetworks ?? []);
        return (exit, output.ToString(), error.ToString().Replace(_directory + "/", "", StringComparison.Ordinal));
    }
}
