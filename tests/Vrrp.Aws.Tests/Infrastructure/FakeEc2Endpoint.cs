using System.Collections.Concurrent;
using System.Net;
using System.Web;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>What the fake does with one request before (or instead of) answering it.</summary>
public abstract record Fault
{
    /// <summary>503 RequestLimitExceeded, as EC2 throttles.</summary>
    public sealed record Throttle : Fault;

    /// <summary>Answer normally, but only after the delay (the change, if any, is applied on arrival).</summary>
    public sealed record Slow(TimeSpan Delay) : Fault;
}

/// <summary>
/// A tiny EC2 on loopback speaking the query protocol with XML answers, for what moto cannot do: throttling bursts and
/// slow answers. It models Elastic IPs only (DescribeAddresses, AssociateAddress).
/// </summary>
public sealed class FakeEc2Endpoint : IDisposable
{
    private const string Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly Dictionary<string, (string? Eni, string? PrivateIp)> _addresses = new(StringComparer.Ordinal);

    public FakeEc2Endpoint()
    {
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public string ServiceUrl => $"http://127.0.0.1:{_server.Port}";

    /// <summary>Faults applied to the next requests, one each, in order.</summary>
    public void Enqueue(params Fault[] faults)
    {
        foreach (Fault fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public void ClearFaults() => _faults.Clear();

    public int Calls(string action) => _calls.TryGetValue(action, out int n) ? n : 0;

    public void AddAddress(string allocationId, string? eni = null)
    {
        lock (_lock)
        {
            _addresses[allocationId] = (eni, null);
        }
    }

    public string? HolderOf(string allocationId)
    {
        lock (_lock)
        {
            return _addresses[allocationId].Eni;
        }
    }

    public void Dispose() => _server.Dispose();

    private async Task HandleAsync(HttpListenerContext context, CancellationToken stop)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream))
        {
            body = await reader.ReadToEndAsync(stop).ConfigureAwait(false);
        }

        var form = HttpUtility.ParseQueryString(body);
        string action = form["Action"] ?? "";
        _calls.AddOrUpdate(action, 1, (_, n) => n + 1);

        Fault? fault = _faults.TryDequeue(out Fault? f) ? f : null;
        if (fault is Fault.Throttle)
        {
            await LoopbackHttpServer.WriteAsync(context, 503, Error("RequestLimitExceeded", "Request limit exceeded.")).ConfigureAwait(false);
            return;
        }

        (int status, string xml) = Apply(action, form);
        if (fault is Fault.Slow slow)
        {
            await Task.Delay(slow.Delay, stop).ConfigureAwait(false);
        }

        await LoopbackHttpServer.WriteAsync(context, status, xml).ConfigureAwait(false);
    }

    private (int Status, string Xml) Apply(string action, System.Collections.Specialized.NameValueCollection form)
    {
        lock (_lock)
        {
            switch (action)
            {
                case "DescribeAddresses":
                {
                    var items = new System.Text.StringBuilder();
                    foreach (string id in _addresses.Keys)
                    {
                        bool wanted = form.AllKeys.Where(k => k?.StartsWith("AllocationId.", StringComparison.Ordinal) == true).Select(k => form[k]).Contains(id);
                        if (!wanted)
                        {
                            continue;
                        }

                        (string? eni, string? ip) = _addresses[id];
                        items.Append("<item><publicIp>198.51.100.7</publicIp><allocationId>").Append(id).Append("</allocationId><domain>vpc</domain>");
                        if (eni is not null)
                        {
                            items.Append("<associationId>eipassoc-1</associationId><networkInterfaceId>").Append(eni).Append("</networkInterfaceId>");
                            if (ip is not null)
                            {
                                items.Append("<privateIpAddress>").Append(ip).Append("</privateIpAddress>");
                            }
                        }

                        items.Append("</item>");
                    }

                    return (200, $"<DescribeAddressesResponse xmlns=\"{Ns}\"><requestId>r</requestId><addressesSet>{items}</addressesSet></DescribeAddressesResponse>");
                }

                case "AssociateAddress":
                {
                    string id = form["AllocationId"] ?? "";
                    if (!_addresses.TryGetValue(id, out var current))
                    {
                        return (400, Error("InvalidAllocationID.NotFound", $"The allocation ID '{id}' does not exist"));
                    }

                    if (current.Eni is not null && form["AllowReassociation"] != "true")
                    {
                        return (400, Error("Resource.AlreadyAssociated", "already associated"));
                    }

                    _addresses[id] = (form["NetworkInterfaceId"], form["PrivateIpAddress"]);
                    return (200, $"<AssociateAddressResponse xmlns=\"{Ns}\"><requestId>r</requestId><return>true</return><associationId>eipassoc-1</associationId></AssociateAddressResponse>");
                }

                default:
                    return (400, Error("InvalidAction", $"The action {action} is not valid for this web service."));
            }
        }
    }

    private static string Error(string code, string message) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>r</RequestID></Response>";
}
