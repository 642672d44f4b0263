using Microsoft.Extensions.Logging;
using Vrrp.Aws;
using Vrrp.Host.Commands;

namespace Vrrp.Host.Tests;

/// <summary>The JSON configuration's "Aws" section: which instance's MASTER moves which AWS address.</summary>
public sealed class AwsConfigurationTests : IDisposable
{
    private const string Vrrp = """
        "Vrrp": {
          "Instances": [ { "Name": "haproxy-vip", "VirtualRouterId": 47, "Priority": 102, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ] } ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-aws-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_reference_deployments_vrrp_sh_is_a_few_lines_of_json()
    {
        AwsHostConfiguration? aws = AwsHostConfiguration.FromJson("{" + Vrrp + """
            ,
            "Aws": {
              "Failover": { "Region": "us-east-1", "Deadline": "00:00:20" },
              "Actions": [
                { "Instance": "haproxy-vip", "ElasticIp": { "AllocationId": "eipalloc-39xxxxxx", "NetworkInterfaceId": "eni-2dxxxxxx" }, "RecheckInterval": "00:01:00" },
                { "Instance": "haproxy-vip", "RouteTable": { "RouteTableIds": [ "rtb-1", "rtb-2" ], "DestinationCidrBlock": "198.51.100.10", "NetworkInterfaceId": "eni-2dxxxxxx" } }
              ]
            }
            }
            """);

        Assert.NotNull(aws);
        Assert.Equal("us-east-1", aws.Failover.Region);
        Assert.Equal(TimeSpan.FromSeconds(20), aws.Failover.Deadline);
        Assert.Equal("eipalloc-39xxxxxx", aws.Actions[0].ElasticIp!.AllocationId);
        Assert.Equal(TimeSpan.FromMinutes(1), aws.Actions[0].RecheckInterval);
        Assert.Equal(["rtb-1", "rtb-2"], aws.Actions[1].RouteTable!.RouteTableIds);
    }

    [Fact]
    public void A_file_that_starts_with_a_comment_keeps_its_Aws_section()
    {
        // The JSON form allows comments: one at the top must not make the Aws section (the EIP move) silently vanish.
        AwsHostConfiguration? aws = AwsHostConfiguration.FromJson("// host01\n/* the reference deployment */\n{" + Vrrp + """
            ,
            "Aws": { "Actions": [ { "Instance": "haproxy-vip", "ElasticIp": { "AllocationId": "eipalloc-39xxxxxx" } } ] }
            }
            """);

        Assert.NotNull(aws);
        Assert.Equal("eipalloc-39xxxxxx", aws.Actions[0].ElasticIp!.AllocationId);
        Assert.Null(AwsHostConfiguration.FromJson("# keepalived.conf\nvrrp_instance A {\n}\n"));
    }

    [Fact]
    public void A_file_without_an_Aws_section_has_no_AWS_actions()
    {
        Assert.Null(AwsHostConfiguration.FromJson("{" + Vrrp + "}"));
        Assert.Null(AwsHostConfiguration.FromJson("vrrp_instance A {\n}\n"));
    }

    [Theory]
    [InlineData("""{ "Actions": [ { "ElasticIp": { "AllocationId": "" } } ] }""", "AllocationId")]
    [InlineData("""{ "Actions": [ { "ElasticIp": { "AllocationId": "a" }, "RouteTable": { "DestinationCidrBlock": "198.51.100.1" } } ] }""", "exactly one of")]
    [InlineData("""{ "Actions": [ { "Elastic": { } } ] }""", "Elastic")]
    public void An_invalid_Aws_section_names_the_field(string section, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => AwsHostConfiguration.FromJson("{" + Vrrp + ", \"Aws\": " + section + "}", "x.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.json: Aws: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_an_Aws_action_for_an_unknown_instance()
    {
        string path = Path.Combine(_directory, "vrrp.json");
        await File.WriteAllTextAsync(path, "{" + Vrrp + """, "Aws": { "Actions": [ { "Instance": "nope", "ElasticIp": { "AllocationId": "eipalloc-1" } } ] } }""");
        StringWriter error = new();

        int exit = await RunCommand.RunAsync(new FileInfo(path), false, TimeSpan.FromSeconds(1), LogLevel.None, new FileInfo(Path.Combine(_directory, "state.json")), new StringWriter(), error, CancellationToken.None);

        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("Aws: no instance named 'nope'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_summarises_the_AWS_actions()
    {
        string path = Path.Combine(_directory, "vrrp.json");
        await File.WriteAllTextAsync(path, "{" + Vrrp + """, "Aws": { "Actions": [ { "Instance": "haproxy-vip", "ElasticIp": { "AllocationId": "eipalloc-1" } } ] } }""");
        StringWriter output = new();

        int exit = CheckConfigCommand.Run(new FileInfo(path), false, output, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Contains("haproxy-vip -> Elastic IP eipalloc-1", output.ToString(), StringComparison.Ordinal);
    }
}
