using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vrrp.Routing;

namespace Vrrp.Diagnostics;

/// <summary>
/// A point-in-time dump of instances in the shape of keepalived's <c>keepalived.json</c>: an array with one
/// <c>{ "data": {...}, "stats": {...} }</c> object per instance, with keepalived's field names
/// (<c>iname</c>, <c>state</c>, <c>wantstate</c>, <c>base_priority</c>, <c>effective_priority</c>, <c>master_priority</c>,
/// <c>last_transition</c>, <c>adver_int</c>, <c>master_adver_int</c>, ...; counters <c>advert_rcvd</c>, <c>advert_sent</c>, ...).
/// Serialized with System.Text.Json source generation (trimming- and AOT-safe).
/// </summary>
public sealed class VrrpSnapshot
{
    private VrrpSnapshot(IReadOnlyList<VrrpInstanceSnapshot> instances) => Instances = instances;

    /// <summary>One entry per instance, in the order given to <see cref="Create"/>.</summary>
    public IReadOnlyList<VrrpInstanceSnapshot> Instances { get; }

    /// <summary>Takes a snapshot of <paramref name="routers"/>.</summary>
    /// <param name="routers">The instances to dump.</param>
    /// <param name="lastTransitions">The time of each instance's last transition by name (e.g. <see cref="VrrpMetrics.GetLastTransitions"/>); missing names give <c>last_transition</c> 0 as keepalived before any transition.</param>
    public static VrrpSnapshot Create(IEnumerable<VirtualRouter> routers, IReadOnlyDictionary<string, DateTimeOffset>? lastTransitions = null)
    {
        ArgumentNullException.ThrowIfNull(routers);
        List<VrrpInstanceSnapshot> instances = [];
        foreach (VirtualRouter router in routers)
        {
            instances.Add(CreateInstance(router, lastTransitions is not null && lastTransitions.TryGetValue(router.Name, out DateTimeOffset at) ? at : null));
        }

        return new VrrpSnapshot(instances);
    }

    /// <summary>The keepalived.json text: a JSON array of <c>{ "data", "stats" }</c> objects.</summary>
    /// <param name="indented">Pretty-print (default) or one line.</param>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(Instances, indented ? VrrpSnapshotJsonContext.Indented.IReadOnlyListVrrpInstanceSnapshot : VrrpSnapshotJsonContext.Default.IReadOnlyListVrrpInstanceSnapshot);

    /// <summary>Writes the keepalived.json text to <paramref name="stream"/> (UTF-8).</summary>
    public void WriteTo(Stream stream, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, Instances, indented ? VrrpSnapshotJsonContext.Indented.IReadOnlyListVrrpInstanceSnapshot : VrrpSnapshotJsonContext.Default.IReadOnlyListVrrpInstanceSnapshot);
    }

    private static VrrpInstanceSnapshot CreateInstance(VirtualRouter router, DateTimeOffset? lastTransition)
    {
        VirtualRouterOptions options = router.Options;
        VrrpState state = router.State;
        VrrpStatistics statistics = router.GetStatistics();
        int effective = router.EffectivePriority;
        VrrpInstanceData data = new()
        {
            InstanceName = router.Name,
            UnicastSource = router.UnicastSource.ToString(),
            UnicastPeers = [.. router.Peers.Select(p => p.Address!.ToString())],
            MasterPriority = state == VrrpState.Master ? effective : router.CurrentMasterPriority,
            MasterAddress = state == VrrpState.Master ? router.UnicastSource.ToString() : router.CurrentMaster?.ToString(),
            LastTransition = lastTransition is { } at ? at.ToUnixTimeMilliseconds() / 1000.0 : 0,
            LowerPriorityNoAdvert = options.AnswerLowerPriorityAdvertisements ? 0 : 1,
            VirtualRouterId = router.VirtualRouterId,
            BasePriority = router.BasePriority,
            EffectivePriority = effective,
            AddressesSet = state == VrrpState.Master,
            AdvertisementInterval = options.AdvertisementInterval.TotalSeconds,
            MasterAdvertisementInterval = router.MasterAdvertisementInterval.TotalSeconds,
            NoPreempt = !options.Preempt,
            PreemptDelay = (int)options.PreemptDelay.TotalSeconds,
            State = VrrpStateCodes.ToKeepalivedCode(state),
            StateName = VrrpStateCodes.ToKeepalivedName(state),
            WantState = VrrpStateCodes.ToKeepalivedCode(WantState(router, state, options)),
            Version = (int)options.Version,
            VirtualAddresses = [.. options.VirtualAddresses.Select(a => a.ToString())],
            TrackScripts = [.. options.Trackers.Select(t => t.Name)],
            AuthType = (int)options.AuthType,
        };

        IReadOnlyDictionary<string, long> all = statistics.ToDictionary();
        Dictionary<string, long> stats = new(StringComparer.Ordinal);
        foreach (string name in KeepalivedCounters)
        {
            stats[name] = name == "advert_interval_err" ? statistics.GetDrops(VrrpDropReason.IntervalMismatch) : all.GetValueOrDefault(name);
        }

        // Every instance has the same counter names: sort them once.
        string[] sorted = s_sortedCounters is { } known && known.Length == all.Count ? known : (s_sortedCounters = [.. all.Keys.Order(StringComparer.Ordinal)]);
        foreach (string name in sorted)
        {
            stats.TryAdd(name, all[name]);
        }

        return new VrrpInstanceSnapshot(data, stats);
    }

    /// <summary>
    /// keepalived's wantstate: the state the instance is heading for. MASTER or BACKUP: itself; FAULT: the state it
    /// re-enters when the fault clears (MASTER for the address owner, else BACKUP); INIT: its configured initial state;
    /// STOP: STOP.
    /// </summary>
    private static VrrpState WantState(VirtualRouter router, VrrpState state, VirtualRouterOptions options) => state switch
    {
        VrrpState.Master or VrrpState.Backup or VrrpState.Stopped => state,
        VrrpState.Fault => router.BasePriority == 255 ? VrrpState.Master : VrrpState.Backup,
        _ => options.InitialState == VrrpInitialState.Master ? VrrpState.Master : VrrpState.Backup,
    };

    private static string[]? s_sortedCounters;

    /// <summary>keepalived's counters in the order of its <c>keepalived.json</c>; ours follow, sorted.</summary>
    private static readonly string[] KeepalivedCounters =
    [
        "advert_rcvd", "advert_sent", "become_master", "release_master", "packet_len_err", "advert_interval_err", "ip_ttl_err",
        "invalid_type_rcvd", "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure", "auth_ext_missing", "auth_ext_malformed",
        "auth_ext_unknown_key", "auth_ext_invalid_hmac", "auth_ext_stale", "auth_ext_replay", "pri_zero_rcvd", "pri_zero_sent",
    ];

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"VrrpSnapshot({Instances.Count} instances)");
}

/// <summary>One instance in a <see cref="VrrpSnapshot"/>: keepalived.json's <c>{ "data": {...}, "stats": {...} }</c>.</summary>
/// <param name="Data">The instance's configuration and state (keepalived's <c>data</c> object).</param>
/// <param name="Stats">The counters by keepalived name (<c>advert_rcvd</c>, ...), then ours (<c>drop_*</c>, <c>parse_*</c>).</param>
public sealed record VrrpInstanceSnapshot(
    [property: JsonPropertyName("data")] VrrpInstanceData Data,
    [property: JsonPropertyName("stats")] IReadOnlyDictionary<string, long> Stats);

/// <summary>keepalived.json's <c>data</c> object of one instance (the fields that apply to unicast VRRP).</summary>
public sealed class VrrpInstanceData
{
    /// <summary><c>iname</c>: the instance name.</summary>
    [JsonPropertyName("iname")]
    public required string InstanceName { get; init; }

    /// <summary><c>unicast_src_ip</c>: the source address of advertisements.</summary>
    [JsonPropertyName("unicast_src_ip")]
    public required string UnicastSource { get; init; }

    /// <summary><c>unicast_peer</c>: the peers' addresses.</summary>
    [JsonPropertyName("unicast_peer")]
    public required IReadOnlyList<string> UnicastPeers { get; init; }

    /// <summary><c>master_priority</c>: the priority the MASTER advertises (ours when MASTER; 0 when none heard).</summary>
    [JsonPropertyName("master_priority")]
    public int MasterPriority { get; init; }

    /// <summary><c>master_saddr</c>: the MASTER's address (ours when MASTER), or <see langword="null"/> when unknown.</summary>
    [JsonPropertyName("master_saddr")]
    public string? MasterAddress { get; init; }

    /// <summary><c>last_transition</c>: Unix time of the last state change in seconds (fractional), 0 if unknown.</summary>
    [JsonPropertyName("last_transition")]
    public double LastTransition { get; init; }

    /// <summary><c>lower_prio_no_advert</c>: 1 when a MASTER does not answer lower priorities.</summary>
    [JsonPropertyName("lower_prio_no_advert")]
    public int LowerPriorityNoAdvert { get; init; }

    /// <summary><c>vrid</c>: the virtual router identifier.</summary>
    [JsonPropertyName("vrid")]
    public int VirtualRouterId { get; init; }

    /// <summary><c>base_priority</c>: the configured priority.</summary>
    [JsonPropertyName("base_priority")]
    public int BasePriority { get; init; }

    /// <summary><c>effective_priority</c>: the priority after tracker weights.</summary>
    [JsonPropertyName("effective_priority")]
    public int EffectivePriority { get; init; }

    /// <summary><c>vipset</c>: whether the virtual addresses are held (MASTER).</summary>
    [JsonPropertyName("vipset")]
    public bool AddressesSet { get; init; }

    /// <summary><c>adver_int</c>: the configured advertisement interval in seconds.</summary>
    [JsonPropertyName("adver_int")]
    public double AdvertisementInterval { get; init; }

    /// <summary><c>master_adver_int</c>: the MASTER's advertisement interval in seconds (VRRPv3 learns it).</summary>
    [JsonPropertyName("master_adver_int")]
    public double MasterAdvertisementInterval { get; init; }

    /// <summary><c>nopreempt</c>.</summary>
    [JsonPropertyName("nopreempt")]
    public bool NoPreempt { get; init; }

    /// <summary><c>preempt_delay</c> in whole seconds.</summary>
    [JsonPropertyName("preempt_delay")]
    public int PreemptDelay { get; init; }

    /// <summary><c>state</c>, numbered as keepalived: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.</summary>
    [JsonPropertyName("state")]
    public int State { get; init; }

    /// <summary><c>state_name</c> (ours): <see cref="State"/> as a word, INIT, BACKUP, MASTER, FAULT or STOP.</summary>
    [JsonPropertyName("state_name")]
    public required string StateName { get; init; }

    /// <summary><c>wantstate</c>, numbered as <see cref="State"/>: the state the instance is heading for.</summary>
    [JsonPropertyName("wantstate")]
    public int WantState { get; init; }

    /// <summary><c>version</c>: 2 or 3.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; }

    /// <summary><c>vips</c>: the virtual addresses.</summary>
    [JsonPropertyName("vips")]
    public required IReadOnlyList<string> VirtualAddresses { get; init; }

    /// <summary><c>track_script</c>: the trackers' names.</summary>
    [JsonPropertyName("track_script")]
    public required IReadOnlyList<string> TrackScripts { get; init; }

    /// <summary><c>auth_type</c>: 0 none, 1 simple password.</summary>
    [JsonPropertyName("auth_type")]
    public int AuthType { get; init; }
}

/// <summary>The source-generated serializer of <see cref="VrrpSnapshot"/> (no reflection: trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(IReadOnlyList<VrrpInstanceSnapshot>))]
internal sealed partial class VrrpSnapshotJsonContext : JsonSerializerContext
{
    /// <summary>The same contract, pretty-printed.</summary>
    public static VrrpSnapshotJsonContext Indented { get; } = new(new JsonSerializerOptions { WriteIndented = true });
}
