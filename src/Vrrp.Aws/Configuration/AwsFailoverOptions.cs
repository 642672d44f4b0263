namespace Vrrp.Aws;

/// <summary>
/// Settings shared by every AWS floating address: the EC2 endpoint and the retry budget of one
/// <see cref="IFloatingAddress.EnsureHeldAsync"/> call.
/// </summary>
/// <remarks>
/// Credentials are deliberately absent: clients made by <see cref="AwsEc2ClientFactory"/> use the SDK's default chain
/// (instance profile, environment, shared config), so nothing secret lives in this configuration.
/// </remarks>
public sealed class AwsFailoverOptions
{
    /// <summary>The AWS region (e.g. <c>eu-west-1</c>); null uses the SDK's default region resolution (environment, profile, IMDS).</summary>
    public string? Region { get; set; }

    /// <summary>An explicit EC2 endpoint such as a VPC endpoint or a local emulator (<c>http://127.0.0.1:5000</c>); null uses the region's.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The whole budget of one <see cref="IFloatingAddress.EnsureHeldAsync"/> call, verification included. Default 30 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many check-and-move attempts per call. Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The backoff after the first failed attempt; it doubles after each further one. Default 200 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest backoff between attempts. Default 5 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How much of each backoff is randomly taken off (0 = none, 1 = up to all of it), so peers do not retry in step. Default 0.5.</summary>
    public double JitterFraction { get; set; } = 0.5;

    /// <summary>The HTTP timeout of one EC2 request, for clients made by <see cref="AwsEc2ClientFactory"/>. Default 5 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The SDK's own retries per request for clients made by <see cref="AwsEc2ClientFactory"/>. Default 0: the
    /// deadline-aware retry of this package is the only one, so the deadline is kept.
    /// </summary>
    public int SdkMaxErrorRetry { get; set; }

    /// <summary>Checks every field and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        const string Type = nameof(AwsFailoverOptions);
        if (ServiceUrl is not null && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            throw OptionChecks.Bad(Type, nameof(ServiceUrl), $"must be an absolute http(s) URL, got '{ServiceUrl}'");
        }

        if (Region is not null && string.IsNullOrWhiteSpace(Region))
        {
            throw OptionChecks.Bad(Type, nameof(Region), "must be null or a region name such as 'us-east-1'");
        }

        OptionChecks.Positive(Type, nameof(Deadline), Deadline);
        OptionChecks.Positive(Type, nameof(InitialBackoff), InitialBackoff);
        OptionChecks.Positive(Type, nameof(RequestTimeout), RequestTimeout);
        if (MaxBackoff < InitialBackoff)
        {
            throw OptionChecks.Bad(Type, nameof(MaxBackoff), $"must be at least {nameof(InitialBackoff)} ({InitialBackoff}), got {MaxBackoff}");
        }

        if (MaxAttempts < 1)
        {
            throw OptionChecks.Bad(Type, nameof(MaxAttempts), $"must be at least 1, got {MaxAttempts}");
        }

        if (!(JitterFraction is >= 0 and <= 1))
        {
            throw OptionChecks.Bad(Type, nameof(JitterFraction), $"must be within [0, 1], got {JitterFraction}");
        }

        if (SdkMaxErrorRetry is < 0 or > 10)
        {
            throw OptionChecks.Bad(Type, nameof(SdkMaxErrorRetry), $"must be within [0, 10], got {SdkMaxErrorRetry}");
        }
    }

    internal RetrySchedule CreateSchedule() => new(InitialBackoff, MaxBackoff, JitterFraction);
}
