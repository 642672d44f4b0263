using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vrrp.Aws;

/// <summary>
/// Finds this node's instance ID and network interface: from <see cref="InstanceIdentityOptions"/> when configured,
/// otherwise from IMDSv2 (token, <c>instance-id</c>, <c>mac</c>, <c>network/interfaces/macs/MAC/interface-id</c>) with
/// short timeouts. A successful answer is cached; a failure is not.
/// </summary>
public sealed partial class InstanceIdentityResolver : IDisposable
{
    private const string TokenPath = "latest/api/token";
    private const string MetadataPath = "latest/meta-data/";

    private readonly InstanceIdentityOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private InstanceIdentity? _cached;

    /// <summary>Creates a resolver.</summary>
    /// <param name="options">Configured values and IMDS settings; validated here.</param>
    /// <param name="httpClient">
    /// The client for IMDS requests; null creates one that bypasses proxies (IMDS must never go through one). The
    /// resolver applies its own timeouts and absolute URLs, so the client's base address and timeout do not matter.
    /// </param>
    /// <param name="timeProvider">The clock for the timeouts; null uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where discovery is logged; null logs nothing.</param>
    public InstanceIdentityResolver(InstanceIdentityOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, ILogger<InstanceIdentityResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Returns this node's identity, asking IMDSv2 only for what is not configured.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="InstanceIdentityException">Not configured and IMDSv2 could not tell; the message says what was tried.</exception>
    public async Task<InstanceIdentity> ResolveAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _cached) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _cached ??= await ResolveCoreAsync(cancellationToken).ConfigureAwait(false);
            return _cached;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _gate.Dispose();
    }

    private async Task<InstanceIdentity> ResolveCoreAsync(CancellationToken cancellationToken)
    {
        if (_options.NetworkInterfaceId is { } configuredEni)
        {
            return new InstanceIdentity(_options.InstanceId, configuredEni, "configuration");
        }

        const string NotConfigured = "InstanceIdentityOptions.NetworkInterfaceId is not set";
        if (!_options.UseImds)
        {
            throw new InstanceIdentityException($"Cannot determine this node's network interface: {NotConfigured} and IMDS discovery is off (UseImds = false). Set NetworkInterfaceId.");
        }

        Uri baseAddress = _options.ImdsBaseAddress;
        string? step = null;
        try
        {
            step = $"PUT {new Uri(baseAddress, TokenPath)} (IMDSv2 token, {Seconds(_options.ImdsTokenTimeout)} timeout)";
            string token = await SendAsync(HttpMethod.Put, TokenPath, null, _options.ImdsTokenTimeout, cancellationToken).ConfigureAwait(false);

            string instanceId = _options.InstanceId ?? await GetAsync("instance-id", token, ref step, cancellationToken).ConfigureAwait(false);
            string mac = await GetAsync("mac", token, ref step, cancellationToken).ConfigureAwait(false);
            if (mac.Length > 32 || !mac.All(c => char.IsAsciiHexDigit(c) || c == ':'))
            {
                throw new InvalidDataException($"expected a MAC address, got '{mac}'");
            }

            string eni = await GetAsync($"network/interfaces/macs/{mac}/interface-id", token, ref step, cancellationToken).ConfigureAwait(false);
            if (!eni.StartsWith("eni-", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"expected an eni-... interface ID, got '{eni}'");
            }

            var identity = new InstanceIdentity(instanceId, eni, "IMDSv2");
            Log.IdentityDiscovered(_logger, instanceId, eni, mac);
            return identity;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or InvalidDataException)
        {
            string why = ex switch
            {
                OperationCanceledException when step!.StartsWith("PUT", StringComparison.Ordinal) =>
                    "no answer within the timeout (in a container, the instance's metadata hop limit must be at least 2: aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)",
                OperationCanceledException => "no answer within the timeout",
                HttpRequestException { StatusCode: HttpStatusCode.NotFound } => "404 Not Found (the path does not exist on this metadata service)",
                HttpRequestException { StatusCode: { } code } => $"HTTP {(int)code} {code}",
                _ => ex.Message,
            };
            string message = $"Cannot determine this node's network interface: {NotConfigured}, and IMDSv2 discovery failed at {step}: {why}.";
            Log.IdentityDiscoveryFailed(_logger, message);
            throw new InstanceIdentityException(message, ex);
        }
    }

    private Task<string> GetAsync(string path, string token, ref string? step, CancellationToken cancellationToken)
    {
        step = $"GET {new Uri(_options.ImdsBaseAddress, MetadataPath + path)}";
        return SendAsync(HttpMethod.Get, MetadataPath + path, token, _options.ImdsRequestTimeout, cancellationToken);
    }

    private async Task<string> SendAsync(HttpMethod method, string relative, string? token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var request = new HttpRequestMessage(method, new Uri(_options.ImdsBaseAddress, relative));
        if (token is null)
        {
            request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        }
        else
        {
            request.Headers.Add("X-aws-ec2-metadata-token", token);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        string body = (await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false)).Trim();
        return body.Length > 0 ? body : throw new InvalidDataException("empty answer");
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
