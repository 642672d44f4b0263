using Amazon;
using Amazon.EC2;

namespace Vrrp.Aws;

/// <summary>Creates the EC2 client the floating addresses use, with credentials from the SDK's default chain only.</summary>
public static class AwsEc2ClientFactory
{
    /// <summary>
    /// Creates an EC2 client for <paramref name="options"/>: its region or endpoint, its per-request timeout, and the SDK's
    /// own retries turned down to <see cref="AwsFailoverOptions.SdkMaxErrorRetry"/> so the deadline-aware retry is in charge.
    /// </summary>
    /// <param name="options">The endpoint and timeouts; validated here.</param>
    /// <returns>A client; dispose it with the application.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static AmazonEC2Client Create(AwsFailoverOptions options) => new(CreateConfig(options));

    /// <summary>The client configuration <see cref="Create"/> uses, for callers that supply their own credentials (e.g. tests against an emulator).</summary>
    /// <param name="options">The endpoint and timeouts; validated here.</param>
    /// <returns>A new configuration.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static AmazonEC2Config CreateConfig(AwsFailoverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = new AmazonEC2Config
        {
            MaxErrorRetry = options.SdkMaxErrorRetry,
            Timeout = options.RequestTimeout,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }
}
