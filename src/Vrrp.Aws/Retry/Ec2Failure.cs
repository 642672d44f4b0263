using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Vrrp.Aws;

/// <summary>A failure that retrying cannot fix (a missing resource, a bad configuration); never retried.</summary>
internal sealed class PermanentFailureException(string message) : Exception(message);

/// <summary>What a failed EC2 call means for the retry loop.</summary>
/// <param name="Retryable">Whether another attempt may succeed.</param>
/// <param name="Kind">A short tag for metrics: throttled, service, client, network, timeout, permanent.</param>
/// <param name="Reason">A one-line explanation for the result and the log.</param>
internal readonly record struct Ec2Failure(bool Retryable, string Kind, string Reason)
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "SlowDown", "EC2ThrottledException", "PriorRequestNotComplete",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout", "RequestTimeoutException",
        "IncorrectState", "IdempotentParameterMismatch",
    };

    /// <summary>Classifies an exception thrown by an EC2 call (the caller's cancellation is handled before this).</summary>
    public static Ec2Failure Classify(Exception exception)
    {
        switch (exception)
        {
            case PermanentFailureException permanent:
                return new(false, "permanent", permanent.Message);

            case AmazonServiceException service when service.InnerException is HttpRequestException http:
                return FromHttp(http);

            case AmazonServiceException service:
            {
                string code = string.IsNullOrEmpty(service.ErrorCode) ? "(no error code)" : service.ErrorCode;
                int status = (int)service.StatusCode;
                string reason = $"EC2 answered {code} (HTTP {status}): {service.Message}";
                if (ThrottlingCodes.Contains(code) || service.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    return new(true, "throttled", reason);
                }

                bool transient = TransientCodes.Contains(code) || status >= 500 || status == 0;
                return new(transient, "service", reason);
            }

            case HttpRequestException http:
                return FromHttp(http);

            case OperationCanceledException or TimeoutException:
                return new(true, "timeout", $"the EC2 request timed out (the client's request timeout): {exception.Message}");

            case AmazonClientException client when client.InnerException is HttpRequestException http:
                return FromHttp(http);

            case AmazonClientException client when client.InnerException is OperationCanceledException:
                return new(true, "timeout", $"the EC2 request timed out: {client.Message}");

            case AmazonClientException client:
                return new(true, "client", $"AWS SDK client error: {client.Message}");

            case IOException io:
                return new(true, "network", $"network error talking to EC2: {io.Message}");

            default:
                return new(false, "unexpected", $"unexpected {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static Ec2Failure FromHttp(HttpRequestException http)
    {
        SocketException? socket = FindInner<SocketException>(http);
        bool cannotConnect = http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            || socket?.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
        if (cannotConnect)
        {
            string detail = socket?.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : (socket?.Message ?? http.Message);
            return new(false, "network", $"cannot reach the EC2 endpoint ({detail}): {http.Message}");
        }

        return new(true, "network", $"network error talking to EC2: {http.Message}");
    }

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
