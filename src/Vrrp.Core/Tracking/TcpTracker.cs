using System.Net.Sockets;

namespace Vrrp.Tracking;

/// <summary>Options of a <see cref="TcpTracker"/> (not in keepalived's VRRP trackers; like its checker's <c>TCP_CHECK</c>).</summary>
public sealed class TcpTrackerOptions : TrackerOptions
{
    /// <summary>The host name or address to connect to, e.g. <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "";

    /// <summary>The TCP port, 1..65535.</summary>
    public int Port { get; set; }

    /// <inheritdoc/>
    protected override void ValidateCore(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{nameof(Host)}: required.");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{nameof(Port)}: must be 1..65535; got {Port}.");
        }
    }
}

/// <summary>Succeeds when a TCP connection to host:port is established before the runner's timeout; the connection is closed at once.</summary>
public sealed class TcpTracker : IVrrpTracker
{
    private readonly string _host;
    private readonly int _port;

    /// <summary>Creates the tracker.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public TcpTracker(TcpTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Name = options.Name;
        _host = options.Host;
        _port = options.Port;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async Task<TrackerResult> CheckAsync(CancellationToken cancellationToken)
    {
        using TcpClient client = new();
        try
        {
            await client.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
            return TrackerResult.Ok($"connected to {_host}:{_port}");
        }
        catch (SocketException ex)
        {
            return TrackerResult.Fail($"connect to {_host}:{_port} failed: {ex.SocketErrorCode} ({ex.Message})");
        }
    }
}
