using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Packets;

public class CounterNameTests
{
    [Theory]
    [InlineData(VrrpParseStatus.BadIPHeaderChecksum, "bad_ip_header_checksum")]
    [InlineData(VrrpParseStatus.UnsupportedIPv6ExtensionHeader, "unsupported_ipv6_extension_header")]
    [InlineData(VrrpParseStatus.BadChecksum, "bad_checksum")]
    [InlineData(VrrpParseStatus.TooShort, "too_short")]
    public void Parse_statuses_become_snake_case_counter_names(VrrpParseStatus status, string expected)
    {
        Assert.Equal(expected, status.ToCounterName());
    }

    [Fact]
    public void Statistics_and_decode_use_the_same_names()
    {
        VrrpStatistics statistics = new VirtualRouter(new VirtualRouterOptions
        {
            Name = "x",
            VirtualRouterId = 1,
            UnicastSource = System.Net.IPAddress.Parse("192.0.2.1"),
        }).GetStatistics();

        foreach (VrrpParseStatus status in Enum.GetValues<VrrpParseStatus>().Where(s => s != VrrpParseStatus.Success))
        {
            Assert.Contains("parse_" + status.ToCounterName(), statistics.ToDictionary().Keys);
        }
    }
}
