using System.Globalization;

namespace Vrrp.Tracking;

/// <summary>Options of an <see cref="HttpTracker"/> (not in keepalived's VRRP trackers; like its checker's <c>HTTP_GET</c>).</summary>
public sealed class HttpTrackerOptions : TrackerOptions
{
    /// <summary>The absolute http or https URL to GET.</summary>
    public Uri? Url { get; set; }

    /// <summary>The status codes that mean success; empty (default) = any 2xx.</summary>
    public IList<int> ExpectedStatusCodes { get; set; } = [];

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{nameof(Url)}: must be an absolute http or https URL; got '{Url}'.");
        }

        if (ExpectedStatusCodes is null)
        {
            errors.Add($"{nameof(ExpectedStatusCodes)}: must not be null.");
        }
        else
        {
            for (int i = 0; i < ExpectedStatusCodes.Count; i++)
            {
                if (ExpectedStatusCodes[i] is < 100 or > 599)
                {
                    errors.Add($"{nameof(ExpectedStatusCodes)}[{i}]: must be 100..599; got {ExpectedStatusCodes[i]}.");
                }
            }
        }
    }
}

/// <summary>
/// GETs a URL (on a fresh connection: <c>Connection: close</c>) and succeeds on an expected status, by default any
/// 2xx; the body is not read. The runner's timeout bounds the whole request.
/// </summary>
public sealed class HttpTracker : IVrrpTracker, IDisposable
{
    private readonly Uri _url;
    private readonly int[] _expected;
    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    /// <summary>Creates the tracker.</summary>
    /// <param name="options">The options; validated.</param>
    /// <param name="httpClient">The client to use (e.g. from <c>IHttpClientFactory</c>, with its own handler settings);
    /// by default the tracker creates and disposes one with no timeout of its own.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public HttpTracker(HttpTrackerOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _url = options.Url!;
        _expected = [.. options.ExpectedStatusCodes];
        _ownsClient = httpClient is null;
        _client = httpClient ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = new(HttpMethod.Get, _url);
        request.Headers.ConnectionClose = true;
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            bool ok = _expected.Length == 0 ? status is >= 200 and <= 299 : _expected.Contains(status);
            string reason = string.Create(CultureInfo.InvariantCulture, $"GET {_url}: HTTP {status} {response.ReasonPhrase}");
            return ok ? TrackerResult.Ok(reason, status) : TrackerResult.Fail(reason, status);
        }
        catch (HttpRequestException ex)
        {
            return TrackerResult.Fail($"GET {_url} failed: {ex.Message}");
        }
    }

    /// <summary>Disposes the client the tracker created (not one passed in).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }
}
