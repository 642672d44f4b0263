namespace Vrrp.Aws;

/// <summary>What every floating-address mode has in common: whose network interface takes the address, and how it is verified.</summary>
public abstract class FloatingAddressOptions
{
    /// <summary>
    /// This node's network interface (<c>eni-...</c>) that takes the address; null discovers it with an
    /// <see cref="InstanceIdentityResolver"/> (configured interface, or IMDSv2).
    /// </summary>
    public string? NetworkInterfaceId { get; set; }

    /// <summary>How long to poll EC2 after a change until it reports this node as the holder. Default 15 s (bounded by the deadline).</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The pause between verification reads. Default 1 s.</summary>
    public TimeSpan VerifyPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks every field and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A field is missing or malformed.</exception>
    public void Validate()
    {
        string type = GetType().Name;
        if (NetworkInterfaceId is not null)
        {
            OptionChecks.ResourceId(type, nameof(NetworkInterfaceId), NetworkInterfaceId, "eni-");
        }

        OptionChecks.Positive(type, nameof(VerifyTimeout), VerifyTimeout);
        OptionChecks.Positive(type, nameof(VerifyPollInterval), VerifyPollInterval);
        ValidateMode(type);
    }

    /// <summary>Checks the fields of one mode.</summary>
    /// <param name="type">The options type name, for messages.</param>
    private protected abstract void ValidateMode(string type);
}

/// <summary>Elastic IP mode: <c>AssociateAddress</c> of an allocation to this node's interface. Works across availability zones.</summary>
public sealed class ElasticIpOptions : FloatingAddressOptions
{
    /// <summary>The Elastic IP's allocation ID (<c>eipalloc-...</c>). Required.</summary>
    public string AllocationId { get; set; } = "";

    /// <summary>
    /// The private IPv4 address of the interface to map the Elastic IP to, typically a secondary one so the node keeps
    /// its own public address on its primary; null maps it to the primary private address.
    /// </summary>
    public string? PrivateIpAddress { get; set; }

    private protected override void ValidateMode(string type)
    {
        OptionChecks.ResourceId(type, nameof(AllocationId), AllocationId, "eipalloc-");
        if (PrivateIpAddress is not null)
        {
            OptionChecks.IPv4(type, nameof(PrivateIpAddress), PrivateIpAddress);
        }
    }
}

/// <summary>
/// Secondary private IP mode: <c>AssignPrivateIpAddresses</c> with reassignment to this node's interface. The peers must
/// share one subnet, so one availability zone.
/// </summary>
public sealed class SecondaryPrivateIpOptions : FloatingAddressOptions
{
    /// <summary>The private IPv4 address that floats between the peers' interfaces. Required.</summary>
    public string PrivateIpAddress { get; set; } = "";

    private protected override void ValidateMode(string type) => OptionChecks.IPv4(type, nameof(PrivateIpAddress), PrivateIpAddress);
}

/// <summary>
/// Route-table (overlay IP) mode: a /32 route to this node's interface in each listed route table. Works across
/// availability zones inside one VPC; the interfaces need source/destination checking turned off.
/// </summary>
public sealed class RouteTableOptions : FloatingAddressOptions
{
    /// <summary>The route tables (<c>rtb-...</c>) whose route to the overlay address is pointed at this node. At least one.</summary>
    public IList<string> RouteTableIds { get; } = new List<string>();

    /// <summary>The overlay destination: an IPv4 address (taken as /32) or an IPv4 CIDR block. Required.</summary>
    public string DestinationCidrBlock { get; set; } = "";

    /// <summary>The destination in canonical <c>a.b.c.d/n</c> form.</summary>
    internal string NormalizedDestination => OptionChecks.NormalizeCidr(DestinationCidrBlock) ?? DestinationCidrBlock;

    private protected override void ValidateMode(string type)
    {
        if (RouteTableIds.Count == 0)
        {
            throw OptionChecks.Bad(type, nameof(RouteTableIds), "must name at least one route table (rtb-...)");
        }

        for (int i = 0; i < RouteTableIds.Count; i++)
        {
            OptionChecks.ResourceId(type, $"{nameof(RouteTableIds)}[{i}]", RouteTableIds[i], "rtb-");
        }

        if (OptionChecks.NormalizeCidr(DestinationCidrBlock) is null)
        {
            throw OptionChecks.Bad(type, nameof(DestinationCidrBlock), $"must be an IPv4 address or CIDR block such as 10.15.85.31/32, got '{DestinationCidrBlock}'");
        }
    }
}
