using Vrrp.Packets;

namespace Vrrp.Routing;

/// <summary>
/// A consistent snapshot of one instance's counters, named after keepalived's (<c>keepalived.stats</c>,
/// <c>keepalived.json</c>); see <see cref="ToDictionary"/>.
/// </summary>
public sealed class VrrpStatistics
{
    // From the enums themselves, so a new reason can never index past the counters.
    internal static readonly int DropReasonCount = Enum.GetValues<VrrpDropReason>().Max(r => (int)r) + 1;
    internal static readonly int ParseStatusCount = Enum.GetValues<VrrpParseStatus>().Max(s => (int)s) + 1;

    // The counter names of drop reasons and parse statuses, built once (the state file asks every few seconds per instance).
    private static readonly (VrrpDropReason Reason, string Name)[] DropCounters =
        [.. Enum.GetValues<VrrpDropReason>().Select(r => (r, "drop_" + SnakeCase.Convert(r.ToString())))];

    private static readonly (VrrpParseStatus Status, string Name)[] ParseCounters =
        [.. Enum.GetValues<VrrpParseStatus>().Where(s => s != VrrpParseStatus.Success).Select(s => (s, "parse_" + SnakeCase.Convert(s.ToString())))];

    private readonly long[] _drops;
    private readonly long[] _parseDrops;

    internal VrrpStatistics(in Counters counters)
    {
        AdvertisementsReceived = counters.AdvertRcvd;
        AdvertisementsSent = counters.AdvertSent;
        BecomeMaster = counters.BecomeMaster;
        ReleaseMaster = counters.ReleaseMaster;
        PriorityZeroReceived = counters.PriZeroRcvd;
        PriorityZeroSent = counters.PriZeroSent;
        AddressListErrors = counters.AddrListErr;
        IntervalMismatchesIgnored = counters.IntervalMismatchIgnored;
        LowerPriorityEventsSuppressed = counters.LowerPriorityEventsSuppressed;
        LowerPriorityAnswersSuppressed = counters.LowerPriorityAnswersSuppressed;
        ActionEventsDropped = counters.ActionEventsDropped;
        SubscriberEventsDropped = counters.SubscriberEventsDropped;
        _drops = (long[])counters.Drops.Clone();
        _parseDrops = (long[])counters.ParseDrops.Clone();
    }

    /// <summary>keepalived <c>advert_rcvd</c>: advertisements handed to this instance, whether accepted or dropped by its checks.</summary>
    public long AdvertisementsReceived { get; }

    /// <summary>keepalived <c>advert_sent</c>: advertisements sent (one per advert, whatever the number of peers it is copied to).</summary>
    public long AdvertisementsSent { get; }

    /// <summary>keepalived <c>become_master</c>.</summary>
    public long BecomeMaster { get; }

    /// <summary>keepalived <c>release_master</c>: times MASTER was left.</summary>
    public long ReleaseMaster { get; }

    /// <summary>keepalived <c>pri_zero_rcvd</c>.</summary>
    public long PriorityZeroReceived { get; }

    /// <summary>keepalived <c>pri_zero_sent</c>.</summary>
    public long PriorityZeroSent { get; }

    /// <summary>keepalived <c>addr_list_err</c>: accepted advertisements whose address list differs from ours (counted, not dropped).</summary>
    public long AddressListErrors { get; }

    /// <summary>VRRPv3 advertisements with another interval (counted and logged, not dropped).</summary>
    public long IntervalMismatchesIgnored { get; }

    /// <summary>Lower-priority advertisements a MASTER heard within max(interval, 1 s) of the last one it raised an event for: counted, no event (no re-assert).</summary>
    public long LowerPriorityEventsSuppressed { get; }

    /// <summary>Lower-priority advertisements a MASTER heard within max(interval, 1 s) of its last answer: counted, not answered again.</summary>
    public long LowerPriorityAnswersSuppressed { get; }

    /// <summary>Events of this instance the failover action pipeline did not queue: a re-assert already pending covered them, or its bound was reached.</summary>
    public long ActionEventsDropped { get; }

    /// <summary>Events a blocked subscriber of this instance's events did not get (its queue was full).</summary>
    public long SubscriberEventsDropped { get; }

    /// <summary>Drops by the router's own checks.</summary>
    public long GetDrops(VrrpDropReason reason) => (uint)reason < (uint)_drops.Length ? _drops[(int)reason] : 0;

    /// <summary>Drops by the codec (messages attributed to this instance by their VRID byte).</summary>
    public long GetParseDrops(VrrpParseStatus status) => (uint)status < (uint)_parseDrops.Length ? _parseDrops[(int)status] : 0;

    /// <summary>Every dropped message, whatever the reason.</summary>
    public long TotalDropped => _drops.Sum() + _parseDrops.Sum();

    /// <summary>
    /// The counters under keepalived's names (<c>advert_rcvd</c>, <c>advert_sent</c>, <c>become_master</c>,
    /// <c>release_master</c>, <c>packet_len_err</c>, <c>ip_ttl_err</c>, <c>invalid_type_rcvd</c>, <c>addr_list_err</c>,
    /// <c>invalid_authtype</c>, <c>authtype_mismatch</c>, <c>auth_failure</c>, <c>pri_zero_rcvd</c>, <c>pri_zero_sent</c>)
    /// plus ours in the same style (<c>drop_*</c>, <c>parse_*</c>).
    /// </summary>
    public IReadOnlyDictionary<string, long> ToDictionary()
    {
        Dictionary<string, long> map = new(24 + DropCounters.Length + ParseCounters.Length, StringComparer.Ordinal)
        {
            ["advert_rcvd"] = AdvertisementsReceived,
            ["advert_sent"] = AdvertisementsSent,
            ["become_master"] = BecomeMaster,
            ["release_master"] = ReleaseMaster,
            ["packet_len_err"] = GetParseDrops(VrrpParseStatus.TooShort) + GetParseDrops(VrrpParseStatus.LengthMismatch),
            ["ip_ttl_err"] = GetDrops(VrrpDropReason.TimeToLive),
            ["invalid_type_rcvd"] = GetParseDrops(VrrpParseStatus.BadType),
            ["addr_list_err"] = AddressListErrors,
            ["invalid_authtype"] = GetParseDrops(VrrpParseStatus.InvalidAuthType),
            ["authtype_mismatch"] = GetDrops(VrrpDropReason.AuthTypeMismatch),
            ["auth_failure"] = GetDrops(VrrpDropReason.AuthFailure),
            ["auth_ext_missing"] = GetDrops(VrrpDropReason.AuthHmacMissing),
            ["auth_ext_malformed"] = GetDrops(VrrpDropReason.AuthHmacMalformed),
            ["auth_ext_unknown_key"] = GetDrops(VrrpDropReason.AuthHmacUnknownKey),
            ["auth_ext_invalid_hmac"] = GetDrops(VrrpDropReason.AuthHmacInvalid),
            ["auth_ext_stale"] = GetDrops(VrrpDropReason.AuthHmacStale),
            ["auth_ext_replay"] = GetDrops(VrrpDropReason.AuthHmacReplay),
            ["pri_zero_rcvd"] = PriorityZeroReceived,
            ["pri_zero_sent"] = PriorityZeroSent,
            ["interval_mismatch_ignored"] = IntervalMismatchesIgnored,
            ["lower_prio_events_suppressed"] = LowerPriorityEventsSuppressed,
            ["lower_prio_answers_suppressed"] = LowerPriorityAnswersSuppressed,
            ["action_events_dropped"] = ActionEventsDropped,
            ["subscriber_events_dropped"] = SubscriberEventsDropped,
        };
        foreach ((VrrpDropReason reason, string name) in DropCounters)
        {
            map[name] = GetDrops(reason);
        }

        foreach ((VrrpParseStatus status, string name) in ParseCounters)
        {
            map[name] = GetParseDrops(status);
        }

        return map.AsReadOnly();
    }

    /// <summary>The mutable counters a router keeps under its lock.</summary>
    internal struct Counters
    {
        public long AdvertRcvd;
        public long AdvertSent;
        public long BecomeMaster;
        public long ReleaseMaster;
        public long PriZeroRcvd;
        public long PriZeroSent;
        public long AddrListErr;
        public long IntervalMismatchIgnored;
        public long LowerPriorityEventsSuppressed;
        public long LowerPriorityAnswersSuppressed;
        public long ActionEventsDropped;
        public long SubscriberEventsDropped;
        public long[] Drops;
        public long[] ParseDrops;

        public static Counters Create() => new() { Drops = new long[DropReasonCount], ParseDrops = new long[ParseStatusCount] };
    }
}
