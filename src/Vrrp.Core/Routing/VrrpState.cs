namespace Vrrp.Routing;

/// <summary>The state of a virtual router instance (RFC 9568 §6.4 plus keepalived's FAULT and STOP).</summary>
public enum VrrpState
{
    /// <summary>Created, not started (RFC Initialize).</summary>
    Initialize = 0,

    /// <summary>Listening to the MASTER, ready to take over when it goes silent.</summary>
    Backup = 1,

    /// <summary>Owning the virtual addresses and advertising.</summary>
    Master = 2,

    /// <summary>Unable to serve: interface down, a weight-0 tracker failing, or a sync group member in FAULT (keepalived).</summary>
    Fault = 3,

    /// <summary>Shut down (keepalived STOP).</summary>
    Stopped = 4,
}

/// <summary>The state an instance asks for at start-up (keepalived <c>state</c>).</summary>
public enum VrrpInitialState
{
    /// <summary>Start as BACKUP (keepalived's default).</summary>
    Backup = 0,

    /// <summary>
    /// Start wanting MASTER. Below priority 255 the instance still enters BACKUP first and becomes MASTER after
    /// Master_Down_Interval unless it hears a better master, as keepalived does.
    /// </summary>
    Master = 1,
}

/// <summary>Why a transition happened.</summary>
public enum VrrpTransitionReason
{
    /// <summary>Start-up entered BACKUP (also the wait of an initial MASTER below priority 255).</summary>
    Startup = 0,

    /// <summary>Start-up of the address owner (priority 255): straight to MASTER.</summary>
    AddressOwner,

    /// <summary>The Master_Down_Timer expired: no advertisement from a better master.</summary>
    MasterDown,

    /// <summary>The master announced it is leaving (priority 0) and the Skew_Time passed.</summary>
    MasterLeft,

    /// <summary>A MASTER heard a higher priority (or an equal priority from a higher address).</summary>
    HigherPriorityAdvertisement,

    /// <summary>Graceful shutdown.</summary>
    Shutdown,

    /// <summary>The interface went down.</summary>
    InterfaceDown,

    /// <summary>A weight-0 tracker failed <c>fall</c> times.</summary>
    TrackerFault,

    /// <summary>Every fault condition cleared (interface up, weight-0 trackers OK, sync group healthy).</summary>
    FaultCleared,

    /// <summary>A member of the instance's sync group changed state and the group followed.</summary>
    SyncGroup,

    /// <summary>The instance has no unicast peer and <see cref="VirtualRouterOptions.FaultWithoutPeers"/> holds it in FAULT (keepalived <c>unicast_fault_no_peer</c>).</summary>
    NoPeers,

    /// <summary>Resumed as MASTER (<see cref="VirtualRouter.StartResumingMaster"/>): this process held MASTER for the instance a moment ago, as before a configuration reload.</summary>
    Reload,
}

/// <summary>The router's own reasons to drop a received advertisement (parse failures use <see cref="Packets.VrrpParseStatus"/>).</summary>
public enum VrrpDropReason
{
    /// <summary>The TTL or hop limit is outside the peer's min_ttl..max_ttl window (keepalived ip_ttl_err).</summary>
    TimeToLive = 0,

    /// <summary>The version differs from the configured one.</summary>
    VersionMismatch,

    /// <summary>The virtual router identifier differs.</summary>
    VirtualRouterIdMismatch,

    /// <summary>The address family differs from the instance's.</summary>
    AddressFamilyMismatch,

    /// <summary>VRRPv2 authentication type differs (keepalived authtype_mismatch).</summary>
    AuthTypeMismatch,

    /// <summary>VRRPv2 password differs (keepalived auth_failure).</summary>
    AuthFailure,

    /// <summary>VRRPv2 advertisement interval differs from ours (keepalived drops these).</summary>
    IntervalMismatch,

    /// <summary>The source is not a configured unicast peer and check_unicast_src is on.</summary>
    SourceNotPeer,

    /// <summary>The instance is not running (not started, or stopped).</summary>
    NotRunning,

    /// <summary>auth_hmac enforces and the advert has no trailer (keepalived auth_ext_missing).</summary>
    AuthHmacMissing,

    /// <summary>The trailer names an unknown scheme or has non-zero reserved bytes (keepalived auth_ext_malformed).</summary>
    AuthHmacMalformed,

    /// <summary>The trailer's key id is not configured (keepalived auth_ext_unknown_key).</summary>
    AuthHmacUnknownKey,

    /// <summary>The trailer's MAC is wrong: another key, or a forgery (keepalived auth_ext_invalid_hmac).</summary>
    AuthHmacInvalid,

    /// <summary>The trailer's time is outside the freshness window (keepalived auth_ext_stale).</summary>
    AuthHmacStale,

    /// <summary>The trailer's sequence does not grow: a replayed advert (keepalived auth_ext_replay).</summary>
    AuthHmacReplay,

    /// <summary>The advert carries an auth_hmac trailer but the instance has no auth_hmac (keepalived counts a length error).</summary>
    AuthHmacUnexpected,
}
