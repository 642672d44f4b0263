using System.Net;
using System.Text.Json;
using Vrrp.Configuration;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Configuration;

/// <summary>keepalived.conf → options. Parse only: the 10.x addresses of the reference deployment are never used.</summary>
public class KeepalivedImporterTests
{

    [Fact]
    public void The_reference_deployment_imports_what_is_supported_and_lists_the_rest()
    {
        KeepalivedConfiguration config = KeepalivedImporter.ImportText(ReferenceConfigs.Host01, "host01.conf");

        KeepalivedInstance instance = Assert.Single(config.Instances);
        VirtualRouterOptions o = instance.Options;
        Assert.Equal("haproxy-vip", o.Name);
        Assert.Equal(VrrpInitialState.Master, o.InitialState);
        Assert.Equal(102, o.Priority);
        Assert.Equal(47, o.VirtualRouterId);
        Assert.Equal(TimeSpan.FromSeconds(3), o.AdvertisementInterval);
        Assert.Equal(VrrpVersion.V2, o.Version);
        Assert.Equal(IPAddress.Parse("10.18.16.11"), o.UnicastSource);
        Assert.Equal(IPAddress.Parse("10.18.18.11"), Assert.Single(o.Peers).Address);
        Assert.Equal(IPAddress.Parse("10.15.85.31"), Assert.Single(o.VirtualAddresses));
        Assert.True(o.Preempt);
        Assert.Equal("eth0", instance.Interface);
        Assert.Equal(["/etc/keepalived/vrrp.sh", "54.192.x.x", "start"], instance.Notify.Master.ToArray());
        Assert.True(instance.Notify.Backup.IsEmpty);
        Assert.Empty(o.Validate());
        Assert.Empty(config.Unsupported);
        Assert.Empty(config.Warnings);

        // vrrp_script haproxy-check { script "killall -0 haproxy"; interval 2; weight 20 } tracked with weight 20.
        KeepalivedTracker tracker = Assert.Single(config.Trackers);
        Assert.Equal("script:haproxy-check", tracker.Name);
        var script = Assert.IsType<Vrrp.Tracking.ScriptTrackerOptions>(tracker.Options);
        // The program is resolved once, at import, on PATH's absolute directories: /usr/bin/killall where psmisc is
        // installed; the bare name (which then fails to start, never found elsewhere) where it is not.
        string expected = Vrrp.Actions.ChildProcess.TryResolve("killall", out string found, out _) ? found : "killall";
        Assert.True(expected == "killall" || Path.IsPathFullyQualified(expected), expected);
        Assert.Equal([expected, "-0", "haproxy"], script.Arguments);
        Assert.Equal(TimeSpan.FromSeconds(2), script.Interval);
        VrrpTrackerOptions tracked = Assert.Single(o.Trackers);
        Assert.Equal(("script:haproxy-check", 20, false), (tracked.Name, tracked.Weight, tracked.Reverse));
        KeepalivedLocalAddress vip = Assert.Single(instance.LocalAddresses);
        Assert.Equal("10.15.85.31/32", vip.Address.ToString());
        Assert.Null(vip.Device);
    }

    [Fact]
    public void Host02_is_host01_mirrored_as_the_BACKUP()
    {
        KeepalivedConfiguration one = KeepalivedImporter.ImportText(ReferenceConfigs.Host01, "host01.conf");
        KeepalivedConfiguration two = KeepalivedImporter.ImportText(ReferenceConfigs.Host02, "host02.conf");

        Assert.Empty(two.Unsupported);
        VirtualRouterOptions a = one.Instances.Single().Options;
        VirtualRouterOptions b = two.Instances.Single().Options;
        Assert.Equal((VrrpInitialState.Backup, 101), (b.InitialState, b.Priority));
        Assert.Equal(a.UnicastSource, b.Peers.Single().Address);
        Assert.Equal(b.UnicastSource, a.Peers.Single().Address);
        Assert.Equal((a.VirtualRouterId, a.AdvertisementInterval, a.Version), (b.VirtualRouterId, b.AdvertisementInterval, b.Version));
        Assert.Equal(a.Trackers.Single().Weight, b.Trackers.Single().Weight);

        // The reference's rule: the priority difference is smaller than the weight, so a failing check loses.
        Assert.True(Math.Abs(a.Priority - b.Priority) < a.Trackers.Single().Weight);
    }

    [Fact]
    public void Trackers_sync_groups_garp_and_address_options_import()
    {
        const string text = """
            global_defs {
                vrrp_garp_master_delay 1
                vrrp_garp_master_refresh 60
            }
            vrrp_script chk {
                script "/usr/local/bin/check --fast"
                interval 0.5
                timeout 2
                weight -30 reverse
                rise 2
                fall 3
                init_fail
            }
            vrrp_track_process web {
                process nginx
                quorum 2
                weight 10
            }
            vrrp_track_file maint {
                file /run/maintenance
                init_file 0 overwrite
            }
            vrrp_sync_group G {
                group {
                    A
                    B
                }
                sync_group_tracking_weight
            }
            vrrp_instance A {
                interface eth1
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                track_script {
                    chk weight 5
                }
                track_process {
                    web
                }
                track_interface {
                    eth1 weight -20
                    eth2
                }
                track_file {
                    maint
                }
                garp_master_repeat 2
                virtual_ipaddress {
                    192.0.2.100/24 dev eth1 label eth1:vip
                }
                virtual_ipaddress_excluded {
                    198.51.100.7/32
                }
                notify_master_rx_lower_pri "/usr/local/bin/reassert eip"
            }
            vrrp_instance B {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
            }
            """;

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, "full.conf");

        Assert.Empty(config.Unsupported);
        KeepalivedInstance a = config.Instances[0];
        Assert.Equal(
            [("script:chk", 5, false, 2, 3, true), ("process:web", 10, false, 1, 1, false), ("interface:eth1", -20, false, 1, 1, false), ("interface:eth2", 0, false, 1, 1, false), ("file:maint", 0, false, 1, 1, false)],
            a.Options.Trackers.Select(t => (t.Name, t.Weight, t.Reverse, t.Rise, t.Fall, t.InitiallyFailed)));
        var chk = Assert.IsType<Vrrp.Tracking.ScriptTrackerOptions>(config.Trackers.Single(t => t.Name == "script:chk").Options);
        Assert.Equal(TimeSpan.FromMilliseconds(500), chk.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), chk.Timeout);
        Assert.Equal(2, Assert.IsType<Vrrp.Tracking.ProcessTrackerOptions>(config.Trackers.Single(t => t.Name == "process:web").Options).Quorum);
        Assert.Equal("eth2", Assert.IsType<Vrrp.Tracking.InterfaceTrackerOptions>(config.Trackers.Single(t => t.Name == "interface:eth2").Options).InterfaceName);
        var maint = Assert.IsType<Vrrp.Tracking.FileTrackerOptions>(config.Trackers.Single(t => t.Name == "file:maint").Options);
        Assert.Equal(("/run/maintenance", 0L, true), (maint.Path, maint.InitialValue, maint.OverwriteInitialValue));
        Assert.Equal(new GarpSettings(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(60), 1, null, null), a.Garp);
        Assert.Equal(GarpSettings.Default with { MasterDelay = TimeSpan.FromSeconds(1), MasterRefresh = TimeSpan.FromSeconds(60) }, config.Instances[1].Garp);
        Assert.Equal(
            [("192.0.2.100/24", "eth1", "eth1:vip", false), ("198.51.100.7/32", null, null, true)],
            a.LocalAddresses.Select(l => (l.Address.ToString(), l.Device, l.Label, l.Excluded)));
        Assert.Equal([IPAddress.Parse("192.0.2.100")], a.Options.VirtualAddresses);
        Assert.Equal(["/usr/local/bin/reassert", "eip"], a.Notify.MasterRxLowerPriority.ToArray());
        KeepalivedSyncGroup group = Assert.Single(config.SyncGroups);
        Assert.Equal(["A", "B"], group.Instances.ToArray());
    }

    [Theory]
    [InlineData("track_script {\n  nosuch\n }", 6, "no vrrp_script named 'nosuch'")]
    [InlineData("track_script {\n  chk weight 300\n }", 6, "weight is a whole number -253..253")]
    [InlineData("track_script {\n  chk weight 5 sideways\n }", 6, "only 'reverse' may follow")]
    [InlineData("virtual_ipaddress {\n  192.0.2.100/24\n }", 6, "needs an interface to live on")]
    public void Tracking_and_address_errors_point_at_the_entry(string block, int line, string message)
    {
        string text = $"vrrp_script chk {{\n script /bin/true\n}}\nvrrp_instance A {{\n {block}\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n}}\n";

        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "t.conf"));

        Assert.Contains(message, error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Errors[0].Location.Line);
    }

    [Fact]
    public void Receive_and_send_switches_map_to_options()
    {
        const string text = """
            global_defs {
                vrrp_lower_prio_no_advert
            }
            vrrp_instance A {
                virtual_router_id 1
                version 3
                unicast_src_ip 192.0.2.1
                check_unicast_src
                v3_checksum_as_v2
                no_virtual_ipaddress
                accept
                dont_track_primary
            }
            vrrp_instance B {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
                lower_prio_no_advert false
                use_vmac
            }
            """;

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, "sw.conf");

        VirtualRouterOptions a = config.Instances[0].Options;
        Assert.False(a.AnswerLowerPriorityAdvertisements);
        Assert.True(a.CheckUnicastSource);
        Assert.Equal(VrrpChecksumMode.MessageOnly, a.ChecksumMode);
        Assert.Empty(a.VirtualAddresses);
        Assert.True(config.Instances[1].Options.AnswerLowerPriorityAdvertisements);
        Assert.Equal(18, Assert.Single(config.Unsupported).Location.Line);
    }

    [Fact]
    public void Sync_group_notify_scripts_and_trackers_import_and_trackers_reach_every_member()
    {
        const string text = """
            vrrp_script chk {
                script /bin/true
                weight -20
            }
            vrrp_script own {
                script /bin/true
                weight 10
            }
            vrrp_sync_group G {
                group {
                    A
                    B
                }
                track_script {
                    chk
                }
                track_interface {
                    eth9
                }
                notify_master "/bin/gm x"
                notify_fault /bin/gf
                notify /bin/gn
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                track_script {
                    own
                }
                track_interface {
                    eth1 weight -5
                }
            }
            vrrp_instance B {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
            }
            """;

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, "g.conf");

        Assert.Empty(config.Unsupported);
        KeepalivedSyncGroup group = config.SyncGroups.Single();
        Assert.Equal(["/bin/gm", "x"], group.Notify.Master.ToArray());
        Assert.Equal(["/bin/gf"], group.Notify.Fault.ToArray());
        Assert.Equal(["/bin/gn"], group.Notify.Generic.ToArray());
        Assert.False(group.TrackingWeight);

        // keepalived without sync_group_tracking_weight: a member's weighted script is ignored, a weighted interface
        // tracked with weight 0; the group's own trackers (weights kept) reach every member.
        Assert.Equal([("interface:eth1", 0), ("script:chk", -20), ("interface:eth9", 0)], config.Instances[0].Options.Trackers.Select(t => (t.Name, t.Weight)));
        Assert.Equal([("script:chk", -20), ("interface:eth9", 0)], config.Instances[1].Options.Trackers.Select(t => (t.Name, t.Weight)));
        Assert.Contains(config.Warnings, w => w.Message.Contains("'script:own' with weight 10 is ignored", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.Message.Contains("'interface:eth1' uses weight 0 instead of -5", StringComparison.Ordinal));
        Assert.Contains("script:chk", config.Trackers.Select(t => t.Name));
    }

    [Fact]
    public void Sync_group_tracking_weight_keeps_the_members_weights()
    {
        const string text = """
            vrrp_script own {
                script /bin/true
                weight 10
            }
            vrrp_sync_group G {
                group {
                    A
                }
                sync_group_tracking_weight
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                track_script {
                    own
                }
            }
            """;

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text);

        Assert.True(config.SyncGroups.Single().TrackingWeight);
        Assert.Equal(("script:own", 10), config.Instances[0].Options.Trackers.Select(t => (t.Name, t.Weight)).Single());
    }

    [Fact]
    public void A_tracker_of_the_group_and_of_a_member_is_an_error()
    {
        const string text = "vrrp_script chk {\n script /bin/true\n}\nvrrp_sync_group G {\n group {\n  A\n }\n track_script {\n  chk\n }\n}\nvrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n track_script {\n  chk\n }\n}\n";
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "g.conf"));
        Assert.Contains("tracked by the group and by its member A", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicast_fault_no_peer_startup_delay_and_priority_notifies_import()
    {
        const string text = """
            global_defs {
                vrrp_startup_delay 5.5
                vrrp_notify_priority_changes
            }
            vrrp_sync_group G {
                group {
                    B
                }
                notify_priority_changes false
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_fault_no_peer
            }
            vrrp_instance B {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
            }
            vrrp_instance C {
                virtual_router_id 3
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                notify_priority_changes off
            }
            """;

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, "n.conf");

        Assert.Empty(config.Unsupported);
        Assert.Equal(TimeSpan.FromSeconds(5.5), config.StartupDelay);
        Assert.True(config.Instances[0].Options.FaultWithoutPeers);
        Assert.False(config.Instances[1].Options.FaultWithoutPeers);
        // B has no peer and no unicast_fault_no_peer: keepalived would go multicast; we say what we do instead.
        ConfigDiagnostic warning = Assert.Single(config.Warnings, w => w.Message.Contains("no unicast_peer", StringComparison.Ordinal));
        Assert.Equal(16, warning.Location.Line);
        Assert.Contains("unicast_fault_no_peer", warning.Message, StringComparison.Ordinal);
        // notify_priority_changes: instance, else sync group, else global.
        Assert.Equal([true, false, false], config.Instances.Select(i => i.NotifyPriorityChanges));
    }

    [Fact]
    public void Track_src_ip_tracks_the_source_address_on_the_instance_interface_with_weight_0()
    {
        const string text = "vrrp_instance A {\n interface eth1\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n track_src_ip\n}\n";

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text);

        Assert.Empty(config.Unsupported);
        Assert.Equal(("source:A", 0), config.Instances[0].Options.Trackers.Select(t => (t.Name, t.Weight)).Single());
        var source = Assert.IsType<Vrrp.Tracking.SourceAddressTrackerOptions>(config.Trackers.Single(t => t.Name == "source:A").Options);
        Assert.Equal(("192.0.2.1", "eth1"), (source.Address?.ToString(), source.InterfaceName));
        Assert.Equal(8, config.Trackers.Single().Location.Line);
    }

    [Fact]
    public void A_sync_group_naming_an_unknown_instance_is_an_error()
    {
        const string text = "vrrp_sync_group G {\n group {\n  A\n  Z\n }\n}\nvrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n}\n";
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "g.conf"));
        Assert.Equal(new ConfigLocation("g.conf", 4, 3), Assert.Single(error.Errors).Location);
    }

    public static TheoryData<string, string> VectorConfigs()
    {
        TheoryData<string, string> data = [];
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "vectors"), "s*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file), "A");
            data.Add(Path.GetFileName(file), "B");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorConfigs))]
    public void Every_keepalived_config_behind_the_golden_vectors_imports(string file, string node)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "vectors", file)));
        JsonElement root = json.RootElement;
        string text = root.GetProperty("keepalived_config").GetProperty(node).GetString()!;
        JsonElement topology = root.GetProperty("topology").GetProperty(node);
        bool ipv6 = root.GetProperty("address_family").GetString() == "IPv6";

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, $"{file}.{node}.conf");

        VirtualRouterOptions o = Assert.Single(config.Instances).Options;
        Assert.Equal(root.GetProperty("vrrp_version").GetInt32(), (int)o.Version);
        Assert.Equal(root.GetProperty("vrid").GetInt32(), o.VirtualRouterId);
        Assert.Equal(topology.GetProperty("priority").GetInt32(), o.Priority);
        Assert.Equal(topology.GetProperty("initial_state").GetString() == "MASTER" ? VrrpInitialState.Master : VrrpInitialState.Backup, o.InitialState);
        Assert.Equal(IPAddress.Parse(topology.GetProperty(ipv6 ? "ipv6" : "ipv4").GetString()!), o.UnicastSource);
        Assert.Equal(TimeSpan.FromSeconds(double.Parse(root.GetProperty("advert_int_config").GetString()!, System.Globalization.CultureInfo.InvariantCulture)), o.AdvertisementInterval);
        Assert.Equal(root.GetProperty("virtual_addresses").EnumerateArray().Select(a => IPAddress.Parse(a.GetString()!)), o.VirtualAddresses);
        Assert.Empty(o.Validate());
        if (text.Contains("auth_pass", StringComparison.Ordinal))
        {
            Assert.Equal(VrrpAuthType.SimplePassword, o.AuthType);
            Assert.Equal("secret1", o.AuthPassword);
        }

        // The captures tuned gratuitous ARP: one announcement per burst, no refresh.
        Assert.Empty(config.Unsupported);
        Assert.Equal(1, Assert.Single(config.Instances).Garp.MasterRepeat);
        Assert.Equal(TimeSpan.Zero, Assert.Single(config.Instances).Garp.MasterRefresh);
    }

    [Theory]
    [InlineData("priority 300", 3, 14, "priority is a whole number 1..255; got '300'")]
    [InlineData("advert_int 0.5", 3, 16, "VRRPv2 advertises in whole seconds")]
    [InlineData("unicast_src_ip 192.0.2", 3, 20, "is not an IP address")]
    [InlineData("state LEADER", 3, 11, "state is MASTER or BACKUP")]
    [InlineData("nopreempt", 3, 5, "nopreempt: nopreempt requires InitialState Backup")]
    [InlineData("unicast_peer { 192.0.2.9 min_ttl x }", 3, 30, "min_ttl takes a number 0..255")]
    public void A_bad_value_is_an_error_at_its_exact_position(string line, int errorLine, int column, string message)
    {
        // Line 3 is the line under test; the others make a valid instance around it.
        string state = line.StartsWith("state", StringComparison.Ordinal) || line.StartsWith("nopreempt", StringComparison.Ordinal) ? "" : "    state BACKUP\n";
        string source = line.StartsWith("unicast_src_ip", StringComparison.Ordinal) ? "" : "    unicast_src_ip 192.0.2.1\n";
        string text = $"vrrp_instance VI_1 {{\n    virtual_router_id 5\n    {line}\n{state}{source}{(line == "nopreempt" ? "    state MASTER\n" : "")}}}\n";

        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "bad.conf"));

        ConfigDiagnostic first = error.Errors[0];
        Assert.Contains(message, first.Message, StringComparison.Ordinal);
        Assert.Equal(new ConfigLocation("bad.conf", errorLine, column), first.Location);
    }

    [Fact]
    public void Every_error_is_reported_not_just_the_first()
    {
        const string text = "vrrp_instance A {\n priority 0\n virtual_router_id 256\n unicast_src_ip 192.0.2.1\n}\n";
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "x.conf"));
        Assert.Equal([2, 3], error.Errors.Select(e => e.Location.Line));
    }

    [Fact]
    public void Two_instances_on_one_VRID_are_an_error()
    {
        const string text = "vrrp_instance A {\n virtual_router_id 9\n unicast_src_ip 192.0.2.1\n}\nvrrp_instance B {\n virtual_router_id 9\n unicast_src_ip 192.0.2.1\n}\n";
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "x.conf"));
        Assert.Equal(5, Assert.Single(error.Errors).Location.Line);
    }

    [Fact]
    public void Global_vrrp_version_applies_wherever_it_stands_and_instances_override_it()
    {
        const string text = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 2001:db8::1\n advert_int 0.05\n}\n" +
            "vrrp_instance B {\n version 2\n virtual_router_id 2\n unicast_src_ip 192.0.2.1\n}\nglobal_defs {\n vrrp_version 3\n}\n";

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text);

        Assert.Equal(VrrpVersion.V3, config.Instances[0].Options.Version);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.Instances[0].Options.AdvertisementInterval);
        Assert.Equal(VrrpVersion.V2, config.Instances[1].Options.Version);
    }

    [Fact]
    public void Peers_carry_their_TTL_window_and_unicast_ttl_is_read()
    {
        const string text = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_ttl 64\n unicast_peer {\n  192.0.2.2 min_ttl 250 max_ttl 255\n  192.0.2.3\n }\n}\n";

        VirtualRouterOptions o = KeepalivedImporter.ImportText(text).Instances.Single().Options;

        Assert.Equal(64, o.UnicastTimeToLive);
        Assert.Equal(250, o.Peers[0].MinTimeToLive);
        Assert.Equal(255, o.Peers[0].MaxTimeToLive);
        Assert.Equal(0, o.Peers[1].MinTimeToLive);
    }

    [Fact]
    public void A_long_password_is_truncated_as_keepalived_does_with_a_warning()
    {
        const string text = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n authentication {\n  auth_type PASS\n  auth_pass 0123456789\n }\n}\n";

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text);

        Assert.Equal("01234567", config.Instances.Single().Options.AuthPassword);
        Assert.Equal(7, Assert.Single(config.Warnings).Location.Line);
        Assert.DoesNotContain("0123456789", Assert.Single(config.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Notify_scripts_become_argv_never_a_shell_string_and_words_after_the_script_name_its_user()
    {
        const string text = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n notify \"/usr/local/bin/notify 'two words' x\"\n notify_backup /bin/echo nobody nogroup\n}\n";

        NotifyScripts notify = KeepalivedImporter.ImportText(text).Instances.Single().Notify;

        Assert.Equal(["/usr/local/bin/notify", "two words", "x"], notify.Generic.ToArray());
        // keepalived: "notify_backup SCRIPT [username [groupname]]" - the script runs as nobody:nogroup, through setpriv.
        Assert.Equal(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--init-groups", "--", "/bin/echo"], notify.Backup.ToArray());
    }

    [Theory]
    [InlineData("192.0.2", false)]
    [InlineData("192.0.2.1", true)]
    [InlineData("3221225985", false)]
    [InlineData("0x7f.1", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("192.0.2.256", false)]
    public void Addresses_parse_strictly_as_inet_pton_does(string text, bool valid)
    {
        Assert.Equal(valid, KeepalivedImporter.TryParseAddress(text, out _));
    }

    [Fact]
    public void Json_file_location_names_the_state_file_and_must_be_absolute()
    {
        const string instance = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n}\n";

        Assert.Equal("/var/run/keepalived.json", KeepalivedImporter.ImportText("global_defs {\n json_file_location /var/run/keepalived.json\n}\n" + instance).StateFile);
        Assert.Null(KeepalivedImporter.ImportText(instance).StateFile);
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText("global_defs {\n  json_file_location state.json\n}\n" + instance, "k.conf"));
        ConfigDiagnostic diagnostic = Assert.Single(error.Errors);
        Assert.Equal(new ConfigLocation("k.conf", 2, 22), diagnostic.Location);
        Assert.Contains("absolute path", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("/run/vrrp/x.json", VrrpJsonConfiguration.ImportText("""{ "StateFile": "/run/vrrp/x.json", "Instances": [ { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "FaultWithoutPeers": true } ] }""").StateFile);
    }

    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("a 'b c' \"d e\"", new[] { "a", "b c", "d e" })]
    [InlineData("a b\\ c", new[] { "a", "b c" })]
    [InlineData("'$(rm -rf /)' ;", new[] { "$(rm -rf /)", ";" })]
    public void SplitCommand_splits_like_keepalived(string command, string[] expected)
    {
        Assert.Equal(expected, KeepalivedImporter.SplitCommand(command).ToArray());
    }
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretFileTests : IDisposable
{
    private const string WithPassword = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n authentication {\n  auth_type PASS\n  auth_pass secret1\n }\n}\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-secret-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "everyone")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "its group")]
    public void A_password_file_readable_by_others_gets_a_warning_that_never_shows_the_password(UnixFileMode mode, string who)
    {
        string path = Write(WithPassword, mode);

        ConfigDiagnostic warning = Assert.Single(KeepalivedImporter.ImportFile(path).Warnings);

        Assert.Contains($"readable by {who}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_owner_only_password_file_or_a_file_without_password_gets_none()
    {
        Assert.Empty(KeepalivedImporter.ImportFile(Write(WithPassword, UnixFileMode.UserRead | UnixFileMode.UserWrite)).Warnings);
        Assert.Empty(KeepalivedImporter.ImportFile(Write("vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n}\n", UnixFileMode.UserRead | UnixFileMode.OtherRead)).Warnings);
    }

    [Fact]
    public void A_password_in_an_included_file_is_checked_in_that_file()
    {
        string included = Write(WithPassword, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        string main = Write($"include {Path.GetFileName(included)}\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        ConfigDiagnostic warning = Assert.Single(KeepalivedImporter.ImportFile(main).Warnings);

        Assert.Equal(included, warning.Location.File);
        Assert.Contains("readable by everyone", warning.Message, StringComparison.Ordinal);
    }

    private string Write(string text, UnixFileMode mode)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
