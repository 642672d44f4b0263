using System.Net;
using System.Net.Sockets;
using System.Text;
using Vrrp.Packets;

namespace Vrrp.Routing;

/// <summary>
/// The configuration of one VRRP instance (keepalived <c>vrrp_instance</c> over unicast). Defaults equal
/// keepalived's. <see cref="Validate"/> lists every problem naming the field; <see cref="ThrowIfInvalid"/> throws.
/// </summary>
public sealed class VirtualRouterOptions
{
    /// <summary>The instance name (keepalived <c>vrrp_instance NAME</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>The virtual router identifier, 1..255 (keepalived <c>virtual_router_id</c>).</summary>
    public int VirtualRouterId { get; set; }

    /// <summary>The protocol version (keepalived <c>version</c>; default 2 as keepalived's <c>vrrp_version</c>).</summary>
    public VrrpVersion Version { get; set; } = VrrpVersion.V2;

    /// <summary>The base priority, 1..255; 255 = address owner (keepalived default 100).</summary>
    public int Priority { get; set; } = 100;

    /// <summary>The advertisement interval: VRRPv2 1..255 whole seconds; VRRPv3 10 ms..40.95 s in 10 ms steps (default 1 s).</summary>
    public TimeSpan AdvertisementInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The state wanted at start-up (keepalived <c>state</c>, default BACKUP).</summary>
    public VrrpInitialState InitialState { get; set; } = VrrpInitialState.Backup;

    /// <summary>Whether a higher-priority backup takes over from a lower master (default on; off = keepalived <c>nopreempt</c>, which requires initial BACKUP).</summary>
    public bool Preempt { get; set; } = true;

    /// <summary>Time after start-up, or after first hearing a lower-priority master, before preempting (keepalived <c>preempt_delay</c>, 0..1000 s).</summary>
    public TimeSpan PreemptDelay { get; set; }

    /// <summary>The source address of advertisements and this instance's primary address for tie-breaks (keepalived <c>unicast_src_ip</c>).</summary>
    public IPAddress? UnicastSource { get; set; }

    /// <summary>The unicast peers; each advertisement is sent once to each (keepalived <c>unicast_peer</c>).</summary>
    public IList<VrrpPeer> Peers { get; set; } = [];

    /// <summary>The virtual addresses; may be empty (cloud instances move their address by API; keepalived <c>no_virtual_ipaddress</c>).</summary>
    public IList<IPAddress> VirtualAddresses { get; set; } = [];

    /// <summary>A MASTER hearing a lower priority sends an advertisement at once (RFC 9568; default on, off = keepalived <c>lower_prio_no_advert</c>).</summary>
    public bool AnswerLowerPriorityAdvertisements { get; set; } = true;

    /// <summary>
    /// Whether a MASTER that hears a higher priority sends one advert of its own before stepping down, so every
    /// other backup learns at once that it is leaving (keepalived <c>higher_prio_send_advert</c>; default off).
    /// </summary>
    public bool AnnounceOnHigherPriority { get; set; }

    /// <summary>The VRRPv3 IPv4 checksum variant to send (default <see cref="VrrpChecksumMode.PseudoHeader"/>, keepalived ≥ 1.3.7). Received adverts are accepted in every variant.</summary>
    public VrrpChecksumMode ChecksumMode { get; set; } = VrrpChecksumMode.PseudoHeader;

    /// <summary>VRRPv2 authentication (keepalived <c>auth_type</c>): none (default) or simple password.</summary>
    public VrrpAuthType AuthType { get; set; } = VrrpAuthType.None;

    /// <summary>The VRRPv2 simple password, 1..8 bytes (keepalived <c>auth_pass</c>).</summary>
    public string? AuthPassword { get; set; }

    /// <summary>
    /// keepalived 2.4's signed adverts (<c>auth_hmac { ... }</c>): sign every advert and verify every one received
    /// before it can change anything (default none). Not with <see cref="AuthType"/> <see cref="VrrpAuthType.SimplePassword"/>.
    /// </summary>
    public VrrpHmacOptions? AuthHmac { get; set; }

    /// <summary>The TTL / hop limit to send with, 1..255 (keepalived <c>unicast_ttl</c>, default 255).</summary>
    public int UnicastTimeToLive { get; set; } = 255;

    /// <summary>Drop advertisements whose source is not a configured peer (keepalived <c>check_unicast_src</c>; default on).</summary>
    public bool CheckUnicastSource { get; set; } = true;

    /// <summary>The tracked checks that adjust the priority or cause FAULT.</summary>
    public IList<VrrpTrackerOptions> Trackers { get; set; } = [];

    /// <summary>
    /// With no <see cref="Peers"/>, stay in FAULT instead of running alone (keepalived <c>unicast_fault_no_peer</c>;
    /// default off: an instance without peers runs and, hearing nobody, becomes MASTER).
    /// </summary>
    public bool FaultWithoutPeers { get; set; }

    /// <summary>The address family of the instance: that of <see cref="UnicastSource"/>.</summary>
    public AddressFamily AddressFamily => UnicastSource?.AddressFamily ?? AddressFamily.Unspecified;

    /// <summary>Checks every field.</summary>
    /// <returns>One message per problem, each starting with the field's name; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{nameof(Name)}: an instance needs a name.");
        }

        if (VirtualRouterId is < 1 or > 255)
        {
            errors.Add($"{nameof(VirtualRouterId)}: must be 1..255; got {VirtualRouterId}.");
        }

        if (Version is not (VrrpVersion.V2 or VrrpVersion.V3))
        {
            errors.Add($"{nameof(Version)}: must be 2 or 3; got {(int)Version}.");
        }

        if (Priority is < 1 or > 255)
        {
            errors.Add($"{nameof(Priority)}: must be 1..255; got {Priority}.");
        }

        if (Version == VrrpVersion.V2 && (AdvertisementInterval < TimeSpan.FromSeconds(1) || AdvertisementInterval > TimeSpan.FromSeconds(255) || AdvertisementInterval.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            errors.Add($"{nameof(AdvertisementInterval)}: VRRPv2 uses 1..255 whole seconds; got {AdvertisementInterval}.");
        }

        if (Version == VrrpVersion.V3 && (AdvertisementInterval < TimeSpan.FromMilliseconds(10) || AdvertisementInterval > VrrpAdvertisement.MaxV3Interval || AdvertisementInterval.Ticks % TimeSpan.FromMilliseconds(10).Ticks != 0))
        {
            errors.Add($"{nameof(AdvertisementInterval)}: VRRPv3 uses 10 ms..40.95 s in steps of 10 ms; got {AdvertisementInterval}.");
        }

        if (InitialState is not (VrrpInitialState.Backup or VrrpInitialState.Master))
        {
            errors.Add($"{nameof(InitialState)}: must be Backup or Master.");
        }

        if (!Preempt && InitialState != VrrpInitialState.Backup)
        {
            errors.Add($"{nameof(Preempt)}: nopreempt requires {nameof(InitialState)} Backup, as keepalived does.");
        }

        if (PreemptDelay < TimeSpan.Zero || PreemptDelay > TimeSpan.FromSeconds(1000))
        {
            errors.Add($"{nameof(PreemptDelay)}: must be 0..1000 s; got {PreemptDelay}.");
        }

        AddressFamily family = AddressFamily;
        if (UnicastSource is null)
        {
            errors.Add($"{nameof(UnicastSource)}: required (keepalived unicast_src_ip).");
        }
        else if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            errors.Add($"{nameof(UnicastSource)}: must be IPv4 or IPv6; got {UnicastSource}.");
        }
        else if (Version == VrrpVersion.V2 && family != AddressFamily.InterNetwork)
        {
            errors.Add($"{nameof(UnicastSource)}: VRRPv2 is IPv4 only; got {UnicastSource}.");
        }

        ValidatePeers(errors, family);
        ValidateAddresses(errors, family);

        if (ChecksumMode is not (VrrpChecksumMode.MessageOnly or VrrpChecksumMode.PseudoHeader or VrrpChecksumMode.PseudoHeaderVrrpMulticast))
        {
            errors.Add($"{nameof(ChecksumMode)}: unknown value {(int)ChecksumMode}.");
        }
        else if (Version == VrrpVersion.V3 && family == AddressFamily.InterNetworkV6 && ChecksumMode != VrrpChecksumMode.PseudoHeader)
        {
            errors.Add($"{nameof(ChecksumMode)}: VRRPv3 over IPv6 always uses the pseudo-header.");
        }

        ValidateAuthentication(errors);

        if (UnicastTimeToLive is < 1 or > 255)
        {
            errors.Add($"{nameof(UnicastTimeToLive)}: must be 1..255; got {UnicastTimeToLive}.");
        }

        ValidateTrackers(errors);
        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem.</summary>
    /// <exception cref="ArgumentException">The message lists every problem; <see cref="ArgumentException.ParamName"/> names the first bad field.</exception>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            string field = errors[0][..errors[0].IndexOf(':', StringComparison.Ordinal)];
            throw new ArgumentException($"Invalid VRRP instance '{Name}': {string.Join(" ", errors)}", field);
        }
    }

    /// <summary>A deep copy, so a running router is not affected by later edits.</summary>
    public VirtualRouterOptions Clone()
    {
        VirtualRouterOptions copy = (VirtualRouterOptions)MemberwiseClone();
        copy.Peers = [.. Peers.Select(p => new VrrpPeer(p.Address!, p.MinTimeToLive, p.MaxTimeToLive))];
        copy.VirtualAddresses = [.. VirtualAddresses];
        copy.AuthHmac = AuthHmac?.Clone();
        copy.Trackers = [.. Trackers.Select(t => new VrrpTrackerOptions(t.Name, t.Weight) { Reverse = t.Reverse, Rise = t.Rise, Fall = t.Fall, InitiallyFailed = t.InitiallyFailed })];
        return copy;
    }

    private void ValidatePeers(List<string> errors, AddressFamily family)
    {
        if (Peers is null)
        {
            errors.Add($"{nameof(Peers)}: must not be null.");
            return;
        }

        HashSet<IPAddress> seen = [];
        for (int i = 0; i < Peers.Count; i++)
        {
            VrrpPeer? peer = Peers[i];
            if (peer?.Address is null)
            {
                errors.Add($"{nameof(Peers)}[{i}].{nameof(VrrpPeer.Address)}: required.");
                continue;
            }

            if (peer.Address.AddressFamily != family)
            {
                errors.Add($"{nameof(Peers)}[{i}].{nameof(VrrpPeer.Address)}: {peer.Address} is not of the family of {nameof(UnicastSource)}.");
            }

            if (peer.Address.Equals(UnicastSource))
            {
                errors.Add($"{nameof(Peers)}[{i}].{nameof(VrrpPeer.Address)}: {peer.Address} is the unicast source itself.");
            }

            if (!seen.Add(peer.Address))
            {
                errors.Add($"{nameof(Peers)}[{i}].{nameof(VrrpPeer.Address)}: {peer.Address} is listed twice.");
            }

            if (peer.MinTimeToLive is < 0 or > 255 || peer.MaxTimeToLive is < 0 or > 255 || peer.MinTimeToLive > peer.MaxTimeToLive)
            {
                errors.Add($"{nameof(Peers)}[{i}].{nameof(VrrpPeer.MinTimeToLive)}: the TTL window must satisfy 0 <= min <= max <= 255; got {peer.MinTimeToLive}..{peer.MaxTimeToLive}.");
            }
        }
    }

    private void ValidateAddresses(List<string> errors, AddressFamily family)
    {
        if (VirtualAddresses is null)
        {
            errors.Add($"{nameof(VirtualAddresses)}: must not be null (use an empty list for none).");
            return;
        }

        if (VirtualAddresses.Count > VrrpAdvertisement.MaxAddresses)
        {
            errors.Add($"{nameof(VirtualAddresses)}: at most {VrrpAdvertisement.MaxAddresses}; got {VirtualAddresses.Count}.");
        }

        for (int i = 0; i < VirtualAddresses.Count; i++)
        {
            IPAddress? address = VirtualAddresses[i];
            if (address is null || address.AddressFamily != family)
            {
                errors.Add($"{nameof(VirtualAddresses)}[{i}]: '{address}' is not of the family of {nameof(UnicastSource)}.");
            }
        }
    }

    private void ValidateAuthentication(List<string> errors)
    {
        if (AuthType is not (VrrpAuthType.None or VrrpAuthType.SimplePassword))
        {
            errors.Add($"{nameof(AuthType)}: None or SimplePassword (IP AH is not supported).");
        }
        else if (AuthType == VrrpAuthType.SimplePassword)
        {
            if (Version != VrrpVersion.V2)
            {
                errors.Add($"{nameof(AuthType)}: authentication exists only in VRRPv2.");
            }

            if (string.IsNullOrEmpty(AuthPassword) || Encoding.UTF8.GetByteCount(AuthPassword) > VrrpAuthenticationData.Length)
            {
                errors.Add($"{nameof(AuthPassword)}: a simple password has 1..8 bytes (UTF-8).");
            }
        }

        if (AuthHmac is not null)
        {
            if (AuthType != VrrpAuthType.None)
            {
                errors.Add($"{nameof(AuthHmac)}: not with {nameof(AuthType)} {AuthType} (keepalived's auth_hmac and authentication exclude each other).");
            }

            AuthHmac.Validate(errors, nameof(AuthHmac));
        }
    }

    private void ValidateTrackers(List<string> errors)
    {
        if (Trackers is null)
        {
            errors.Add($"{nameof(Trackers)}: must not be null.");
            return;
        }

        HashSet<string> names = new(StringComparer.Ordinal);
        for (int i = 0; i < Trackers.Count; i++)
        {
            VrrpTrackerOptions? tracker = Trackers[i];
            if (tracker is null || string.IsNullOrWhiteSpace(tracker.Name))
            {
                errors.Add($"{nameof(Trackers)}[{i}].{nameof(VrrpTrackerOptions.Name)}: required.");
                continue;
            }

            if (!names.Add(tracker.Name))
            {
                errors.Add($"{nameof(Trackers)}[{i}].{nameof(VrrpTrackerOptions.Name)}: '{tracker.Name}' is listed twice.");
            }

            if (tracker.Weight is < -VrrpTrackerOptions.MaxWeight or > VrrpTrackerOptions.MaxWeight)
            {
                errors.Add($"{nameof(Trackers)}[{i}].{nameof(VrrpTrackerOptions.Weight)}: must be -254..254; got {tracker.Weight}.");
            }

            if (tracker.Rise < 1)
            {
                errors.Add($"{nameof(Trackers)}[{i}].{nameof(VrrpTrackerOptions.Rise)}: must be at least 1; got {tracker.Rise}.");
            }

            if (tracker.Fall < 1)
            {
                errors.Add($"{nameof(Trackers)}[{i}].{nameof(VrrpTrackerOptions.Fall)}: must be at least 1; got {tracker.Fall}.");
            }
        }
    }
}
