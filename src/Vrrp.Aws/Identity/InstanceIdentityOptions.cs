namespace Vrrp.Aws;

/// <summary>Where this node's instance ID and network interface come from: configuration first, then IMDSv2.</summary>
public sealed class InstanceIdentityOptions
{
    /// <summary>This instance's ID (<c>i-...</c>); null discovers it with IMDSv2 when discovery is needed.</summary>
    public string? InstanceId { get; set; }

    /// <summary>The network interface that takes floating addresses (<c>eni-...</c>); null discovers the primary one with IMDSv2.</summary>
    public string? NetworkInterfaceId { get; set; }

    /// <summary>Whether IMDSv2 may be asked for what is not configured. Default true.</summary>
    public bool UseImds { get; set; } = true;

    /// <summary>The instance metadata service. Default <c>http://169.254.169.254</c>.</summary>
    public Uri ImdsBaseAddress { get; set; } = new("http://169.254.169.254");

    /// <summary>
    /// How long the IMDSv2 token request (<c>PUT /latest/api/token</c>) may take. Default 1 s: in a container whose
    /// metadata hop limit is 1 the request is silently dropped, and this turns that into a quick, clear failure.
    /// </summary>
    public TimeSpan ImdsTokenTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long each metadata read may take. Default 2 s.</summary>
    public TimeSpan ImdsRequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks every field and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A field is malformed.</exception>
    public void Validate()
    {
        const string Type = nameof(InstanceIdentityOptions);
        if (InstanceId is not null)
        {
            OptionChecks.ResourceId(Type, nameof(InstanceId), InstanceId, "i-");
        }

        if (NetworkInterfaceId is not null)
        {
            OptionChecks.ResourceId(Type, nameof(NetworkInterfaceId), NetworkInterfaceId, "eni-");
        }

        if (ImdsBaseAddress is null || !ImdsBaseAddress.IsAbsoluteUri || ImdsBaseAddress.Scheme != Uri.UriSchemeHttp)
        {
            throw OptionChecks.Bad(Type, nameof(ImdsBaseAddress), $"must be an absolute http URL, got '{ImdsBaseAddress}'");
        }

        OptionChecks.Positive(Type, nameof(ImdsTokenTimeout), ImdsTokenTimeout);
        OptionChecks.Positive(Type, nameof(ImdsRequestTimeout), ImdsRequestTimeout);
    }
}

/// <summary>This node as EC2 knows it.</summary>
/// <param name="InstanceId">The instance ID, or null when only the interface was configured and IMDS was not needed.</param>
/// <param name="NetworkInterfaceId">The network interface that takes floating addresses.</param>
/// <param name="Source">Where the values came from: <c>configuration</c> or <c>IMDSv2</c>.</param>
public sealed record InstanceIdentity(string? InstanceId, string NetworkInterfaceId, string Source);

/// <summary>This node's identity could not be determined; the message names everything that was tried.</summary>
public sealed class InstanceIdentityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InstanceIdentityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was tried and why it failed.</param>
    public InstanceIdentityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    /// <param name="message">What was tried and why it failed.</param>
    /// <param name="innerException">The underlying failure.</param>
    public InstanceIdentityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
