namespace Vrrp.Integration.Tests.Lab;

/// <summary>Namespace tests run one at a time: they are timing-sensitive and share one machine's 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetnsCollection
{
    public const string Name = "network namespaces";
}
