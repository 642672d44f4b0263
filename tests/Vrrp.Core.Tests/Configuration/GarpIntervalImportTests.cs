using Vrrp.Configuration;
using Vrrp.Tests.Hosting;

namespace Vrrp.Tests.Configuration;

/// <summary>global_defs vrrp_garp_interval / vrrp_gna_interval, in keepalived.conf and in the JSON form.</summary>
public sealed class GarpIntervalImportTests
{
    private const string Instance = "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n}\n";

    [Fact]
    public void Global_intervals_reach_every_instance_with_microsecond_resolution()
    {
        string text = "global_defs {\n vrrp_garp_interval 0.001\n vrrp_gna_interval 0.000001\n}\n" + Instance + Instance.Replace("A {", "B {", StringComparison.Ordinal).Replace("id 1", "id 2", StringComparison.Ordinal);

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(text, "g.conf");

        Assert.Empty(config.Unsupported);
        Assert.All(config.Instances, i => Assert.Equal((TimeSpan.FromMilliseconds(1), TimeSpan.FromMicroseconds(1)), (i.Garp.GarpInterval, i.Garp.GnaInterval)));
    }

    [Fact]
    public void Without_them_announcements_are_not_paced()
    {
        KeepalivedConfiguration config = KeepalivedImporter.ImportText(Instance, "g.conf");

        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (config.Instances[0].Garp.GarpInterval, config.Instances[0].Garp.GnaInterval));
    }

    [Theory]
    [InlineData("vrrp_garp_interval 0", "vrrp_garp_interval is a number of seconds 0.000001..4294.967295; got '0'")]
    [InlineData("vrrp_gna_interval 5000", "vrrp_gna_interval is a number of seconds 0.000001..4294.967295; got '5000'")]
    [InlineData("vrrp_garp_interval soon", "got 'soon'")]
    public void Out_of_range_values_are_errors_at_their_line(string line, string message)
    {
        string text = $"global_defs {{\n {line}\n}}\n" + Instance;

        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "g.conf"));

        Assert.Contains(message, error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Errors[0].Location.Line);
    }

    [Fact]
    public void The_json_form_sets_them_for_every_instance_and_checks_the_range()
    {
        string json = JsonConfigurationTests.Host01Json.Replace("\"Trackers\": [\n", "\"GarpInterval\": \"00:00:00.005\",\n    \"GnaInterval\": \"00:00:00.002\",\n    \"Trackers\": [\n", StringComparison.Ordinal);
        Assert.NotEqual(JsonConfigurationTests.Host01Json, json);

        KeepalivedConfiguration config = VrrpJsonConfiguration.ImportText(json, "g.json");
        Assert.Equal((TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2)), (config.Instances[0].Garp.GarpInterval, config.Instances[0].Garp.GnaInterval));

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json.Replace("00:00:00.005", "-00:00:01", StringComparison.Ordinal), "bad.json"));
        Assert.Contains("GarpInterval: must be 0..4294.967295 s", e.Errors[0].ToString(), StringComparison.Ordinal);
    }
}
