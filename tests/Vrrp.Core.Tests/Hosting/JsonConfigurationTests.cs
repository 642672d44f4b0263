using System.Text;
using Microsoft.Extensions.Configuration;
using Vrrp.Configuration;
using Vrrp.Hosting;
using Vrrp.Routing;
using Vrrp.Tracking;

namespace Vrrp.Tests.Hosting;

/// <summary>The JSON form (appsettings "Vrrp" section, or a vrrp.json) against the keepalived.conf form.</summary>
public sealed class JsonConfigurationTests
{
    /// <summary>The reference deployment in keepalived.conf form.</summary>
    private const string Host01Conf = Vrrp.Tests.Configuration.ReferenceConfigs.Host01;

    /// <summary>The same deployment in the JSON form (docs/embedding.md shows both side by side).</summary>
    internal const string Host01Json = """
        {
          "Vrrp": {
            "Trackers": [
              { "Name": "haproxy-check", "Kind": "Script", "Script": "killall -0 haproxy", "Interval": "00:00:02", "Weight": 20 }
            ],
            "Instances": [
              {
                "Name": "haproxy-vip",
                "InitialState": "Master",
                "Priority": 102,
                "Interface": "eth0",
                "VirtualRouterId": 47,
                "AdvertisementInterval": "00:00:03",
                "UnicastSource": "10.18.16.11",
                "Peers": [ { "Address": "10.18.18.11" } ],
                "Notify": { "Master": "/etc/keepalived/vrrp.sh 54.192.x.x start" },
                "VirtualAddresses": [ "10.15.85.31" ],
                "Trackers": [ { "Name": "haproxy-check", "Weight": 20 } ]
              }
            ]
          }
        }
        """;

    [Fact]
    public void The_reference_deployment_in_json_equals_its_keepalived_conf()
    {
        KeepalivedConfiguration conf = KeepalivedImporter.ImportText(Host01Conf, "host01.conf");
        KeepalivedConfiguration json = VrrpJsonConfiguration.ImportText(Host01Json, "host01.json");

        Assert.Equal(Describe(conf), Describe(json));
        Assert.Empty(json.Warnings);
    }

    [Fact]
    public void Binding_the_appsettings_section_gives_the_same_options_as_the_json_file()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Host01Json))).Build();
        VrrpOptions bound = new();
        configuration.GetSection(VrrpOptions.SectionName).Bind(bound);

        Assert.Equal(Describe(KeepalivedImporter.ImportText(Host01Conf, "host01.conf")), Describe(bound.ToConfiguration()));
    }

    [Fact]
    public void Invalid_values_are_reported_at_their_line_and_column_naming_the_field()
    {
        string json = Host01Json.Replace("\"Priority\": 102", "\"Priority\": 300", StringComparison.Ordinal)
            .Replace("\"Address\": \"10.18.18.11\"", "\"Address\": \"10.18.18\"", StringComparison.Ordinal);

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json, "bad.json"));

        Assert.Equal(
            [
                "bad.json:10:9: Instances[0].Priority: must be 1..255; got 300.",
                "bad.json:15:22: Instances[0].Peers[0].Address: '10.18.18' is not an IP address.",
            ],
            e.Errors.Select(d => d.ToString()));
    }

    [Fact]
    public void Unknown_properties_and_wrong_types_are_syntax_errors_with_a_position()
    {
        ConfigSyntaxException typo = Assert.Throws<ConfigSyntaxException>(() =>
            VrrpJsonConfiguration.ImportText(Host01Json.Replace("\"Priority\"", "\"Priorty\"", StringComparison.Ordinal), "typo.json"));
        Assert.Equal(10, typo.Location.Line);
        Assert.Contains("Priorty", typo.Message, StringComparison.Ordinal);

        ConfigSyntaxException type = Assert.Throws<ConfigSyntaxException>(() =>
            VrrpJsonConfiguration.ImportText(Host01Json.Replace("\"Priority\": 102", "\"Priority\": \"high\"", StringComparison.Ordinal), "type.json"));
        Assert.Equal(10, type.Location.Line);
        Assert.StartsWith("Instances[0].Priority", type.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_delay_fault_without_peers_priority_notifies_and_sync_group_scripts_and_trackers_read_the_same_from_json()
    {
        const string conf = """
            global_defs {
                vrrp_startup_delay 2.5
            }
            vrrp_script chk {
                script "/bin/check --fast"
                weight -20
            }
            vrrp_sync_group G {
                group {
                    A
                    B
                }
                track_script {
                    chk
                }
                notify_master "/bin/gm x"
                notify /bin/gn
                sync_group_tracking_weight
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_fault_no_peer
                notify_priority_changes
            }
            vrrp_instance B {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                track_src_ip
            }
            """;
        const string json = """
            {
              "StartupDelay": "00:00:02.5",
              "Trackers": [ { "Name": "chk", "Script": "/bin/check --fast", "Weight": -20 } ],
              "Instances": [
                { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "FaultWithoutPeers": true, "NotifyPriorityChanges": true },
                { "Name": "B", "VirtualRouterId": 2, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ], "TrackSourceAddress": true }
              ],
              "SyncGroups": [
                { "Name": "G", "Instances": [ "A", "B" ], "Trackers": [ { "Name": "chk" } ],
                  "Notify": { "Master": "/bin/gm x", "Generic": "/bin/gn" }, "TrackingWeight": true }
              ]
            }
            """;

        KeepalivedConfiguration fromConf = KeepalivedImporter.ImportText(conf, "g.conf");
        KeepalivedConfiguration fromJson = VrrpJsonConfiguration.ImportText(json, "g.json");

        Assert.Equal(Describe(fromConf), Describe(fromJson));
        Assert.Contains("script:chk:-20", Describe(fromJson), StringComparison.Ordinal);
        Assert.Contains("startup delay 00:00:02.5", Describe(fromJson), StringComparison.Ordinal);
    }

    [Fact]
    public void The_notify_fifo_reads_from_json_as_vrrp_notify_fifo()
    {
        const string json = """
            {
              "NotifyFifo": "/run/vrrp.fifo",
              "NotifyFifoScript": "/usr/local/bin/reader --x",
              "Instances": [ { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ] } ]
            }
            """;

        KeepalivedNotifyFifo fifo = VrrpJsonConfiguration.ImportText(json).NotifyFifos.Single();

        Assert.Equal(("vrrp_notify_fifo", "/run/vrrp.fifo"), (fifo.Keyword, fifo.Path));
        Assert.Equal(["/usr/local/bin/reader", "--x"], fifo.Script.ToArray());
        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json.Replace("\"/run/vrrp.fifo\"", "\"relative\"", StringComparison.Ordinal)));
        Assert.StartsWith("NotifyFifo:", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_members_weighted_tracker_without_TrackingWeight_is_an_error_naming_the_field()
    {
        const string json = """
            {
              "Trackers": [ { "Name": "chk", "Script": "/bin/check", "Weight": 10 } ],
              "Instances": [ { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ], "Trackers": [ { "Name": "chk" } ] } ],
              "SyncGroups": [ { "Name": "G", "Instances": [ "A" ] } ]
            }
            """;

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json, "w.json"));

        ConfigDiagnostic error = Assert.Single(e.Errors);
        Assert.StartsWith("Instances[0].Trackers:", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrackingWeight", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Everything the runtime uses, as text, so two configurations compare with one assertion and a readable diff.</summary>
    internal static string Describe(KeepalivedConfiguration configuration)
    {
        StringBuilder text = new();
        foreach (KeepalivedInstance instance in configuration.Instances)
        {
            VirtualRouterOptions o = instance.Options;
            text.AppendLine($"instance {o.Name} vrid={o.VirtualRouterId} v={o.Version} prio={o.Priority} int={o.AdvertisementInterval} init={o.InitialState} preempt={o.Preempt}/{o.PreemptDelay}");
            text.AppendLine($"  src={o.UnicastSource} peers={string.Join(",", o.Peers.Select(p => p.ToString()))} vips={string.Join(",", o.VirtualAddresses)}");
            text.AppendLine($"  lower={o.AnswerLowerPriorityAdvertisements} sum={o.ChecksumMode} auth={o.AuthType}/{o.AuthPassword} ttl={o.UnicastTimeToLive} check={o.CheckUnicastSource}");
            text.AppendLine($"  faultWithoutPeers={o.FaultWithoutPeers} notifyPriorityChanges={instance.NotifyPriorityChanges}");
            text.AppendLine($"  trackers={string.Join(",", o.Trackers.Select(t => $"{t.Name}:{t.Weight}:{t.Reverse}:{t.Rise}:{t.Fall}:{t.InitiallyFailed}"))}");
            text.AppendLine($"  interface={instance.Interface} locals={string.Join(",", instance.LocalAddresses.Select(a => $"{a.Address}@{a.Device}/{a.Label}/{a.Excluded}"))}");
            NotifyScripts n = instance.Notify;
            text.AppendLine($"  notify master=[{string.Join("|", n.Master)}] backup=[{string.Join("|", n.Backup)}] fault=[{string.Join("|", n.Fault)}] stop=[{string.Join("|", n.Stop)}] generic=[{string.Join("|", n.Generic)}]");
        }

        foreach (KeepalivedTracker tracker in configuration.Trackers)
        {
            TrackerOptions t = tracker.Options;
            string detail = t switch
            {
                ScriptTrackerOptions s => $"script [{string.Join("|", s.Arguments)}]",
                ProcessTrackerOptions p => $"process {p.ProcessName} quorum {p.Quorum}",
                SourceAddressTrackerOptions a => $"source {a.Address} on {a.InterfaceName}",
                InterfaceTrackerOptions i => $"interface {i.InterfaceName}",
                FileTrackerOptions f => $"file {f.Path}",
                _ => t.GetType().Name,
            };
            text.AppendLine($"tracker {tracker.Name} {detail} every {t.Interval} timeout {t.Timeout}");
        }

        foreach (KeepalivedSyncGroup group in configuration.SyncGroups)
        {
            text.AppendLine($"group {group.Name}: {string.Join(",", group.Instances)} trackingWeight={group.TrackingWeight}");
            NotifyScripts n = group.Notify;
            text.AppendLine($"  notify master=[{string.Join("|", n.Master)}] backup=[{string.Join("|", n.Backup)}] fault=[{string.Join("|", n.Fault)}] stop=[{string.Join("|", n.Stop)}] generic=[{string.Join("|", n.Generic)}]");
        }

        text.AppendLine($"startup delay {configuration.StartupDelay}");

        return text.ToString();
    }
}
