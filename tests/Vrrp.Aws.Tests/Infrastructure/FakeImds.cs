using System.Collections.Concurrent;
using System.Net;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>A fake instance metadata service (IMDSv2) on loopback. Never the real 169.254.169.254.</summary>
public sealed class FakeImds : IDisposable
{
    public const string Token = "AQAEAFakeToken==";
    public const string InstanceId = "i-0123456789abcdef0";
    public const string Mac = "0a:1b:2c:3d:4e:5f";
    public const string Eni = "eni-0fedcba9876543210";

    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<string> _requests = new();

    public FakeImds(bool dropTokenRequest = false, bool missingInterfacePath = false)
    {
        _server = new LoopbackHttpServer(async (context, stop) =>
        {
            string path = context.Request.Url!.AbsolutePath;
            _requests.Enqueue($"{context.Request.HttpMethod} {path}");
            if (path == "/latest/api/token" && context.Request.HttpMethod == "PUT")
            {
                if (dropTokenRequest)
                {
                    await Task.Delay(Timeout.Infinite, stop); // hop limit 1: the answer never comes back
                }

                await LoopbackHttpServer.WriteAsync(context, 200, Token, "text/plain");
                return;
            }

            if (context.Request.Headers["X-aws-ec2-metadata-token"] != Token)
            {
                await LoopbackHttpServer.WriteAsync(context, 401, "", "text/plain");
                return;
            }

            string? answer = path switch
            {
                "/latest/meta-data/instance-id" => InstanceId,
                "/latest/meta-data/mac" => Mac,
                $"/latest/meta-data/network/interfaces/macs/{Mac}/interface-id" when !missingInterfacePath => Eni,
                _ => null,
            };
            await LoopbackHttpServer.WriteAsync(context, answer is null ? (int)HttpStatusCode.NotFound : 200, answer ?? "Not Found", "text/plain");
        });
    }

    public Uri BaseAddress => _server.BaseAddress;

    public IReadOnlyCollection<string> Requests => _requests;

    public void Dispose() => _server.Dispose();
}
