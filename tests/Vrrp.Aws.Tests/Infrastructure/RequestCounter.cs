using System.Collections.Concurrent;
using Amazon.Runtime;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>Counts the requests a client sends, by request type, through the SDK's BeforeRequestEvent pipeline hook.</summary>
public sealed class RequestCounter : IDisposable
{
    private readonly AmazonServiceClient _client;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public RequestCounter(AmazonServiceClient client)
    {
        _client = client;
        _client.BeforeRequestEvent += OnBeforeRequest;
    }

    /// <summary>Requests of one operation, e.g. "AssociateAddress".</summary>
    public int this[string operation] => _counts.TryGetValue(operation + "Request", out int n) ? n : 0;

    public int Total => _counts.Values.Sum();

    public void Dispose() => _client.BeforeRequestEvent -= OnBeforeRequest;

    private void OnBeforeRequest(object sender, RequestEventArgs e)
    {
        if (e is WebServiceRequestEventArgs web && web.Request is { } request)
        {
            _counts.AddOrUpdate(request.GetType().Name, 1, (_, n) => n + 1);
        }
    }
}
