using System.Net.Sockets;

namespace Vrrp.Actions;

/// <summary>
/// Settings of a <see cref="LocalAddressAction"/>: the virtual addresses to put on an interface while MASTER, and
/// keepalived's gratuitous ARP / unsolicited neighbour advertisement timing (defaults equal keepalived's).
/// </summary>
public sealed class LocalAddressActionOptions
{
    /// <summary>The largest <see cref="GarpInterval"/> / <see cref="GnaInterval"/> accepted, as keepalived's: 2^32 − 1 µs (about 71 minutes).</summary>
    internal static readonly TimeSpan MaxAnnouncementInterval = TimeSpan.FromMicroseconds(uint.MaxValue);

    /// <summary>The action's name (default <c>addresses:INTERFACE</c>).</summary>
    public string? Name { get; set; }

    /// <summary>The instance whose events move the addresses; <see langword="null"/> for every instance of the pipeline.</summary>
    public string? InstanceName { get; set; }

    /// <summary>The interface the addresses go on (keepalived <c>dev</c> / the instance's <c>interface</c>). Required.</summary>
    public string Interface { get; set; } = "";

    /// <summary>The virtual addresses with prefix lengths. At least one.</summary>
    public IList<LocalVirtualAddress> Addresses { get; set; } = [];

    /// <summary>An optional label for the IPv4 addresses (<c>ip addr add ... label L</c>): the interface name, or it followed by a colon and a suffix (<c>eth0:vip</c>). IPv6 has no labels.</summary>
    public string? Label { get; set; }

    /// <summary>
    /// An optional network namespace (a name under /var/run/netns, as <c>ip netns</c> creates) that holds the interface:
    /// the addresses are changed with <c>ip -n NAME</c> and the announcements are sent from a capture device opened inside it.
    /// </summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>keepalived <c>garp_master_delay</c>: when to send a second burst after becoming MASTER (default 5 s; zero for none).</summary>
    public TimeSpan GarpMasterDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>keepalived <c>garp_master_repeat</c>: announcements per address in each burst after becoming MASTER (default 5).</summary>
    public int GarpMasterRepeat { get; set; } = 5;

    /// <summary>keepalived <c>garp_master_refresh</c>: period of re-announcing while MASTER (default zero: off).</summary>
    public TimeSpan GarpMasterRefresh { get; set; } = TimeSpan.Zero;

    /// <summary>keepalived <c>garp_master_refresh_repeat</c>: announcements per address in each refresh (default 1).</summary>
    public int GarpMasterRefreshRepeat { get; set; } = 1;

    /// <summary>keepalived <c>garp_lower_prio_delay</c>: second burst after a MASTER hears a lower priority (default: <see cref="GarpMasterDelay"/>).</summary>
    public TimeSpan? GarpLowerPriorityDelay { get; set; }

    /// <summary>keepalived <c>garp_lower_prio_repeat</c>: announcements per address in each burst after a lower-priority advert (default: <see cref="GarpMasterRepeat"/>).</summary>
    public int? GarpLowerPriorityRepeat { get; set; }

    /// <summary>
    /// keepalived <c>vrrp_garp_interval</c>: the least time between two gratuitous ARPs on the interface, counted across
    /// every action announcing on it in this process (default zero: back to back). A burst waits for its turns.
    /// </summary>
    public TimeSpan GarpInterval { get; set; } = TimeSpan.Zero;

    /// <summary>keepalived <c>vrrp_gna_interval</c>: as <see cref="GarpInterval"/>, for unsolicited neighbour advertisements (default zero).</summary>
    public TimeSpan GnaInterval { get; set; } = TimeSpan.Zero;

    /// <summary>The <c>ip</c> program (default <c>ip</c>, found on PATH).</summary>
    public string IpCommand { get; set; } = "ip";

    /// <summary>How long one <c>ip</c> command may run (default 10 s).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The problems with these settings, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (!IsInterfaceName(Interface))
        {
            errors.Add($"{nameof(Interface)}: an interface name of 1..15 characters without '/', ':' or white space is required; got '{Interface}'.");
        }

        if (Addresses is null || Addresses.Count == 0)
        {
            errors.Add($"{nameof(Addresses)}: at least one address is required.");
        }
        else
        {
            for (int i = 0; i < Addresses.Count; i++)
            {
                LocalVirtualAddress? address = Addresses[i];
                if (address?.Address is null)
                {
                    errors.Add($"{nameof(Addresses)}[{i}]: must not be null.");
                }
                else if (address.Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                {
                    errors.Add($"{nameof(Addresses)}[{i}]: {address.Address} is not IPv4 or IPv6.");
                }
                else if (address.PrefixLength < 0 || address.PrefixLength > LocalVirtualAddress.MaxPrefix(address.Address))
                {
                    errors.Add($"{nameof(Addresses)}[{i}]: prefix length of {address.Address} must be 0..{LocalVirtualAddress.MaxPrefix(address.Address)}; got {address.PrefixLength}.");
                }
                else if (Addresses.Take(i).Any(a => a?.Address is not null && a.Address.Equals(address.Address)))
                {
                    errors.Add($"{nameof(Addresses)}[{i}]: {address.Address} is listed twice.");
                }
            }
        }

        if (Label is not null && (Label.Length > 15 || !(Label == Interface || Label.StartsWith(Interface + ":", StringComparison.Ordinal)) || Label.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{nameof(Label)}: must be the interface name or start with '{Interface}:' and have at most 15 characters; got '{Label}'.");
        }

        if (NetworkNamespace is not null && (NetworkNamespace.Length == 0 || NetworkNamespace.Contains('/', StringComparison.Ordinal) || NetworkNamespace.Any(char.IsWhiteSpace) || NetworkNamespace is "." or ".."))
        {
            errors.Add($"{nameof(NetworkNamespace)}: must be a namespace name (as in /var/run/netns/NAME); got '{NetworkNamespace}'.");
        }

        NonNegative(nameof(GarpMasterDelay), GarpMasterDelay);
        NonNegative(nameof(GarpMasterRefresh), GarpMasterRefresh);
        NonNegative(nameof(GarpLowerPriorityDelay), GarpLowerPriorityDelay ?? TimeSpan.Zero);
        Interval(nameof(GarpInterval), GarpInterval);
        Interval(nameof(GnaInterval), GnaInterval);
        Count(nameof(GarpMasterRepeat), GarpMasterRepeat);
        Count(nameof(GarpMasterRefreshRepeat), GarpMasterRefreshRepeat);
        Count(nameof(GarpLowerPriorityRepeat), GarpLowerPriorityRepeat ?? 1);
        if (string.IsNullOrWhiteSpace(IpCommand))
        {
            errors.Add($"{nameof(IpCommand)}: must not be blank.");
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(CommandTimeout)}: must be positive; got {CommandTimeout}.");
        }

        return errors;

        void NonNegative(string field, TimeSpan value)
        {
            if (value < TimeSpan.Zero)
            {
                errors.Add($"{field}: must not be negative; got {value}.");
            }
        }

        void Interval(string field, TimeSpan value)
        {
            if (value < TimeSpan.Zero || value > MaxAnnouncementInterval)
            {
                errors.Add($"{field}: must be 0..4294.967295 s (2^32 - 1 µs); got {value}.");
            }
        }

        void Count(string field, int value)
        {
            if (value is < 1 or > 100)
            {
                errors.Add($"{field}: must be 1..100; got {value}.");
            }
        }
    }

    /// <summary>Throws when <see cref="Validate"/> finds problems.</summary>
    /// <exception cref="ArgumentException">The settings are invalid; the message names the fields.</exception>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(LocalAddressActionOptions)}: {string.Join(" ", errors)}");
        }
    }

    internal LocalAddressActionOptions Clone()
    {
        LocalAddressActionOptions copy = (LocalAddressActionOptions)MemberwiseClone();
        copy.Addresses = [.. Addresses];
        return copy;
    }

    private static bool IsInterfaceName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 15 && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) && name is not "." and not "..";
}
