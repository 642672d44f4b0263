using Amazon.EC2;
using Amazon.Runtime;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>EC2 clients for loopback endpoints only, with fixed test credentials.</summary>
public static class Ec2Clients
{
    public static AmazonEC2Client For(string serviceUrl, TimeSpan? requestTimeout = null)
    {
        Assert.StartsWith("http://127.0.0.1:", serviceUrl, StringComparison.Ordinal);
        AmazonEC2Config config = AwsEc2ClientFactory.CreateConfig(new AwsFailoverOptions
        {
            ServiceUrl = serviceUrl,
            Region = "us-east-1",
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
        });
        return new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), config);
    }

    /// <summary>Fast retry settings for loopback tests.</summary>
    public static AwsFailoverOptions Fast(TimeSpan deadline) => new()
    {
        Deadline = deadline,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(80),
        MaxAttempts = 20,
    };
}
