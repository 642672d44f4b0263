using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Vrrp.Aws.Tests.Retry;

/// <summary>What a failed EC2 call means for the retry loop: timeouts, throttling and network errors retried, the rest not.</summary>
public sealed class Ec2FailureTests
{
    [Fact]
    public void A_request_timeout_in_any_of_its_forms_is_a_retryable_timeout()
    {
        Exception[] timeouts =
        [
            new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()),
            new OperationCanceledException(),
            new TimeoutException(),
            new AmazonClientException("request timed out", new TaskCanceledException()),
        ];

        foreach (Exception timeout in timeouts)
        {
            Ec2Failure failure = Ec2Failure.Classify(timeout);
            Assert.True(failure.Retryable, timeout.GetType().Name);
            Assert.Equal("timeout", failure.Kind);
            Assert.Contains("timed out", failure.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Throttling_and_a_reset_are_retried_a_missing_resource_and_a_refused_endpoint_are_not()
    {
        Assert.Equal("throttled", Ec2Failure.Classify(new AmazonServiceException("slow down") { ErrorCode = "RequestLimitExceeded", StatusCode = HttpStatusCode.ServiceUnavailable }).Kind);
        Ec2Failure missing = Ec2Failure.Classify(new AmazonServiceException("no such address") { ErrorCode = "InvalidAllocationID.NotFound", StatusCode = HttpStatusCode.BadRequest });
        Assert.False(missing.Retryable);
        Assert.Contains("InvalidAllocationID.NotFound", missing.Reason, StringComparison.Ordinal);
        Assert.True(Ec2Failure.Classify(new IOException("connection reset")).Retryable);
        // An endpoint that refuses connections is a configuration problem (a wrong ServiceUrl), not retried.
        Assert.False(Ec2Failure.Classify(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))).Retryable);
    }
}
