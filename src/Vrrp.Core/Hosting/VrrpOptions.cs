using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Hosting;

/// <summary>Which transport the hosted VRRP instances use.</summary>
public enum VrrpTransportKind
{
    /// <summary>Raw IP protocol 112 sockets (Linux; needs root or CAP_NET_RAW). The default.</summary>
    Raw = 0,

    /// <summary>An in-process <see cref="Transports.InMemoryNetwork"/>: no privilege, for development, samples and tests.</summary>
    InMemory = 1,
}

/// <summary>
/// The VRRP options of a host, bound from configuration (the <c>"Vrrp"</c> section of appsettings.json, or a
/// <c>vrrp run --config FILE.json</c> file) or set in code with <c>services.AddVrrp(o =&gt; ...)</c>. The JSON form of a
/// keepalived.conf: see docs/embedding.md. <see cref="Validate"/> names the field of every problem
/// (<c>Instances[0].Priority: must be 1..255; got 0.</c>).
/// </summary>
public sealed class VrrpOptions
{
    /// <summary>The configuration section bound by default: <c>"Vrrp"</c>.</summary>
    public const string SectionName = "Vrrp";

    /// <summary>The transport: <see cref="VrrpTransportKind.Raw"/> (default) or <see cref="VrrpTransportKind.InMemory"/>.</summary>
    public VrrpTransportKind Transport { get; set; } = VrrpTransportKind.Raw;

    /// <summary>The VRRP instances (keepalived <c>vrrp_instance</c>).</summary>
    public IList<VrrpInstanceOptions> Instances { get; set; } = [];

    /// <summary>The health checks instances may track (keepalived <c>vrrp_script</c>, <c>vrrp_track_process</c>, <c>vrrp_track_file</c>; plus TCP and HTTP).</summary>
    public IList<VrrpTrackerDefinitionOptions> Trackers { get; set; } = [];

    /// <summary>Instances that change state together (keepalived <c>vrrp_sync_group</c>).</summary>
    public IList<VrrpSyncGroupOptions> SyncGroups { get; set; } = [];

    /// <summary>How long one failover action (or notify script) may take with one event (default 30 s).</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping waits for queued failover actions (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where to keep the keepalived-compatible JSON snapshot (<c>vrrp status</c> reads it); none when empty (default).</summary>
    public string? StateFile { get; set; }

    /// <summary>How long after start-up the instances start (keepalived <c>vrrp_startup_delay</c>; default 0). JSON: <c>"00:00:05.5"</c>.</summary>
    public TimeSpan StartupDelay { get; set; }

    /// <summary>The user scripts run as unless they name their own (keepalived <c>script_user</c>): <c>"user"</c> or <c>"user:group"</c>.
    /// Default: the user <c>keepalived_script</c> when it exists, else this process's user.</summary>
    public string? ScriptUser { get; set; }

    /// <summary>Refuse scripts run as root whose path a non-root user could change, and never run scripts as root by default (keepalived <c>enable_script_security</c>).</summary>
    public bool EnableScriptSecurity { get; set; }

    /// <summary>
    /// Environment variables the scripts get from this process beyond <c>PATH</c>, <c>LANG</c>, <c>LANGUAGE</c>,
    /// <c>TZ</c> and <c>LC_*</c>, e.g. <c>["AWS_REGION", "MYAPP_*"]</c>; nothing else is passed.
    /// </summary>
    public IList<string> ScriptEnvironment { get; set; } = [];

    /// <summary>A FIFO that gets keepalived's notify lines (<c>INSTANCE "NAME" MASTER 100</c>, ...; keepalived <c>vrrp_notify_fifo</c>); none when empty.</summary>
    public string? NotifyFifo { get; set; }

    /// <summary>A program started with the <see cref="NotifyFifo"/> path as last argument to read it (keepalived <c>vrrp_notify_fifo_script</c>).</summary>
    public string? NotifyFifoScript { get; set; }

    /// <summary>How often the state file is rewritten besides on every transition (default 5 s).</summary>
    public TimeSpan StateFileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>keepalived <c>vrrp_garp_interval</c>: the least time between two gratuitous ARPs on one interface, across instances (default zero).</summary>
    public TimeSpan GarpInterval { get; set; }

    /// <summary>keepalived <c>vrrp_gna_interval</c>: the least time between two unsolicited neighbour advertisements on one interface (default zero).</summary>
    public TimeSpan GnaInterval { get; set; }

    /// <summary>Checks every field and converts what can be converted.</summary>
    /// <returns>One message per problem, each starting with the field's path (<c>Instances[0].UnicastSource: ...</c>); empty when valid.</returns>
    public IReadOnlyList<string> Validate() => [.. VrrpOptionsConverter.Convert(this, "appsettings", null).Errors.Select(e => e.Message)];

    /// <summary>The options as the runtime uses them: the same model <see cref="KeepalivedImporter"/> produces from a keepalived.conf.</summary>
    /// <param name="source">The name used as the file of the <see cref="ConfigLocation"/>s (default <c>appsettings</c>).</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its field.</exception>
    public KeepalivedConfiguration ToConfiguration(string source = "appsettings")
    {
        VrrpOptionsConverter.Result result = VrrpOptionsConverter.Convert(this, source, null);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException($"Invalid VRRP options: {string.Join(" ", result.Errors.Select(e => e.Message))}", result.Errors[0].Field);
        }

        return result.Configuration!;
    }
}

/// <summary>
/// One VRRP instance in the JSON / appsettings form: the fields of <see cref="VirtualRouterOptions"/> with the same
/// names (addresses as strings), plus the keepalived extras the host uses (interface, notify scripts).
/// </summary>
public sealed class VrrpInstanceOptions
{
    /// <summary>The instance name (keepalived <c>vrrp_instance NAME</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>The virtual router identifier, 1..255 (keepalived <c>virtual_router_id</c>).</summary>
    public int VirtualRouterId { get; set; }

    /// <summary>The protocol version, 2 (default) or 3 (keepalived <c>version</c>).</summary>
    public int Version { get; set; } = 2;

    /// <summary>The base priority, 1..255 (default 100).</summary>
    public int Priority { get; set; } = 100;

    /// <summary>The advertisement interval (default 1 s; keepalived <c>advert_int</c>). JSON: <c>"00:00:01"</c>.</summary>
    public TimeSpan AdvertisementInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The state wanted at start-up: <c>Backup</c> (default) or <c>Master</c> (keepalived <c>state</c>).</summary>
    public VrrpInitialState InitialState { get; set; } = VrrpInitialState.Backup;

    /// <summary>Whether a higher-priority backup takes over (default on; off = keepalived <c>nopreempt</c>).</summary>
    public bool Preempt { get; set; } = true;

    /// <summary>keepalived <c>preempt_delay</c> (default 0).</summary>
    public TimeSpan PreemptDelay { get; set; }

    /// <summary>The source address of advertisements (keepalived <c>unicast_src_ip</c>); required.</summary>
    public string? UnicastSource { get; set; }

    /// <summary>The unicast peers (keepalived <c>unicast_peer</c>).</summary>
    public IList<VrrpPeerOptions> Peers { get; set; } = [];

    /// <summary>The virtual addresses, <c>ADDRESS</c> or <c>ADDRESS/PREFIX</c> (keepalived <c>virtual_ipaddress</c>); may be empty.</summary>
    public IList<string> VirtualAddresses { get; set; } = [];

    /// <summary>The interface the raw socket binds to and the virtual addresses are added to (keepalived <c>interface</c>).</summary>
    public string? Interface { get; set; }

    /// <summary>A MASTER hearing a lower priority answers at once (default on; off = keepalived <c>lower_prio_no_advert</c>).</summary>
    public bool AnswerLowerPriorityAdvertisements { get; set; } = true;

    /// <summary>The VRRPv3 IPv4 checksum variant to send (default <see cref="VrrpChecksumMode.PseudoHeader"/>).</summary>
    public VrrpChecksumMode ChecksumMode { get; set; } = VrrpChecksumMode.PseudoHeader;

    /// <summary>VRRPv2 authentication: <c>None</c> (default) or <c>SimplePassword</c>.</summary>
    public VrrpAuthType AuthType { get; set; } = VrrpAuthType.None;

    /// <summary>The VRRPv2 simple password (keepalived <c>auth_pass</c>).</summary>
    public string? AuthPassword { get; set; }

    /// <summary>
    /// keepalived 2.4's signed adverts (<c>auth_hmac { ... }</c>): <c>Keys</c> (<c>Id</c>, <c>Key</c>: <c>hex:...</c>,
    /// <c>file:PATH</c> or text), <c>ActiveKey</c>, <c>AntiReplay</c>, <c>TimeWindow</c>, <c>Mode</c>. Not with <see cref="AuthType"/>.
    /// </summary>
    public VrrpHmacOptions? AuthHmac { get; set; }

    /// <summary>The TTL to send with, 1..255 (default 255; keepalived <c>unicast_ttl</c>).</summary>
    public int UnicastTimeToLive { get; set; } = 255;

    /// <summary>Drop advertisements whose source is not a peer (default on; keepalived <c>check_unicast_src</c>).</summary>
    public bool CheckUnicastSource { get; set; } = true;

    /// <summary>The trackers this instance follows, by the name of an entry of <see cref="VrrpOptions.Trackers"/> (or of a tracker added with <c>AddTracker</c>).</summary>
    public IList<VrrpTrackOptions> Trackers { get; set; } = [];

    /// <summary>Notify scripts (keepalived <c>notify_master</c>, ...).</summary>
    public VrrpNotifyOptions Notify { get; set; } = new();

    /// <summary>With no <see cref="Peers"/>, stay in FAULT instead of running alone (keepalived <c>unicast_fault_no_peer</c>; default off).</summary>
    public bool FaultWithoutPeers { get; set; }

    /// <summary>FAULT while <see cref="UnicastSource"/> is not configured on <see cref="Interface"/> (on any interface without one), checked every second (keepalived <c>track_src_ip</c>; default off).</summary>
    public bool TrackSourceAddress { get; set; }

    /// <summary>Write effective-priority changes to the notify FIFOs (keepalived <c>notify_priority_changes</c>; default off).</summary>
    public bool NotifyPriorityChanges { get; set; }
}

/// <summary>A unicast peer in the JSON form (keepalived <c>unicast_peer { ADDRESS [min_ttl N] [max_ttl N] }</c>).</summary>
public sealed class VrrpPeerOptions
{
    /// <summary>The peer's address; required.</summary>
    public string? Address { get; set; }

    /// <summary>The lowest TTL accepted from it (default 0).</summary>
    public int MinTimeToLive { get; set; }

    /// <summary>The highest TTL accepted from it (default 255).</summary>
    public int MaxTimeToLive { get; set; } = 255;
}

/// <summary>An instance's use of a tracker (keepalived <c>track_script { NAME [weight W [reverse]] }</c>).</summary>
public sealed class VrrpTrackOptions
{
    /// <summary>The tracker's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The weight for this instance; default: the tracker definition's.</summary>
    public int? Weight { get; set; }

    /// <summary>Inverts the adjustment for this instance; default: the tracker definition's.</summary>
    public bool? Reverse { get; set; }
}

/// <summary>The notify scripts of an instance; each a command line split as keepalived does (quotes group words, no shell).</summary>
public sealed class VrrpNotifyOptions
{
    /// <summary>keepalived <c>notify_master</c>.</summary>
    public string? Master { get; set; }

    /// <summary>keepalived <c>notify_backup</c>.</summary>
    public string? Backup { get; set; }

    /// <summary>keepalived <c>notify_fault</c>.</summary>
    public string? Fault { get; set; }

    /// <summary>keepalived <c>notify_stop</c>.</summary>
    public string? Stop { get; set; }

    /// <summary>keepalived <c>notify</c>: gets <c>INSTANCE NAME STATE PRIORITY</c> appended.</summary>
    public string? Generic { get; set; }

    /// <summary>keepalived <c>notify_master_rx_lower_pri</c>.</summary>
    public string? MasterRxLowerPriority { get; set; }

    /// <summary>The user these scripts run as (keepalived's <c>notify... SCRIPT username [groupname]</c>): <c>"user"</c> or <c>"user:group"</c>; default <see cref="VrrpOptions.ScriptUser"/>.</summary>
    public string? User { get; set; }
}

/// <summary>The kind of a tracker definition.</summary>
public enum VrrpTrackerKind
{
    /// <summary>A command; exit code 0 = OK (keepalived <c>vrrp_script</c>).</summary>
    Script = 0,

    /// <summary>A process is running (keepalived <c>vrrp_track_process</c>).</summary>
    Process = 1,

    /// <summary>An interface is up (keepalived <c>track_interface</c>).</summary>
    Interface = 2,

    /// <summary>A number in a file (keepalived <c>vrrp_track_file</c>).</summary>
    File = 3,

    /// <summary>A TCP connect succeeds.</summary>
    Tcp = 4,

    /// <summary>An HTTP GET returns an expected status.</summary>
    Http = 5,
}

/// <summary>A health check in the JSON form. Its runtime name is <c>kind:name</c> (<c>script:haproxy-check</c>), as keepalived.conf imports name it.</summary>
public sealed class VrrpTrackerDefinitionOptions
{
    /// <summary>The name instances refer to.</summary>
    public string Name { get; set; } = "";

    /// <summary>The kind (default <see cref="VrrpTrackerKind.Script"/>).</summary>
    public VrrpTrackerKind Kind { get; set; } = VrrpTrackerKind.Script;

    /// <summary>Script: the command line (keepalived <c>script</c>).</summary>
    public string? Script { get; set; }

    /// <summary>Process: the process name (keepalived <c>process</c>).</summary>
    public string? Process { get; set; }

    /// <summary>Process: how many must run (default 1).</summary>
    public int Quorum { get; set; } = 1;

    /// <summary>Interface: the interface name.</summary>
    public string? Interface { get; set; }

    /// <summary>File: the path of the file.</summary>
    public string? Path { get; set; }

    /// <summary>Tcp: the host to connect to.</summary>
    public string? Host { get; set; }

    /// <summary>Tcp: the port.</summary>
    public int Port { get; set; }

    /// <summary>Http: the URL to get.</summary>
    public Uri? Url { get; set; }

    /// <summary>How often the check runs (default 1 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one check may take (default: the interval).</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>The default weight for instances tracking it (keepalived <c>weight</c>, default 0 = FAULT while failing).</summary>
    public int Weight { get; set; }

    /// <summary>The default direction (keepalived <c>weight W reverse</c>).</summary>
    public bool Reverse { get; set; }

    /// <summary>Consecutive successes to recover (default 1).</summary>
    public int Rise { get; set; } = 1;

    /// <summary>Consecutive failures to fail (default 1).</summary>
    public int Fall { get; set; } = 1;

    /// <summary>Start failed (keepalived <c>init_fail</c>).</summary>
    public bool InitiallyFailed { get; set; }

    /// <summary>Script: the user it runs as (keepalived <c>user USER [GROUP]</c>): <c>"user"</c> or <c>"user:group"</c>; default <see cref="VrrpOptions.ScriptUser"/>.</summary>
    public string? User { get; set; }
}

/// <summary>A sync group in the JSON form (keepalived <c>vrrp_sync_group NAME { group { ... } }</c>).</summary>
public sealed class VrrpSyncGroupOptions
{
    /// <summary>The group name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The member instances, by name.</summary>
    public IList<string> Instances { get; set; } = [];

    /// <summary>The group's notify scripts (keepalived <c>vrrp_sync_group</c>'s <c>notify_master</c>, ...; the generic one gets <c>GROUP NAME STATE 0</c>).</summary>
    public VrrpNotifyOptions Notify { get; set; } = new();

    /// <summary>Trackers every member follows (keepalived <c>vrrp_sync_group</c>'s <c>track_script</c>, ...), by the name of an entry of <see cref="VrrpOptions.Trackers"/>.</summary>
    public IList<VrrpTrackOptions> Trackers { get; set; } = [];

    /// <summary>Lets members keep their own weighted trackers (keepalived <c>sync_group_tracking_weight</c>); without it a member's weighted tracker is an error (keepalived ignores it).</summary>
    public bool TrackingWeight { get; set; }
}

/// <summary>The failover pipeline settings derived from <see cref="VrrpOptions"/>.</summary>
internal static class VrrpOptionsPipeline
{
    public static FailoverActionPipelineOptions ToPipelineOptions(this VrrpOptions options) =>
        new() { ActionTimeout = options.ActionTimeout, DrainTimeout = options.DrainTimeout };
}
