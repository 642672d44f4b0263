using System.Net;
using System.Net.Sockets;
using Vrrp.Packets;

namespace Vrrp.Tests.Packets;

public class AdvertisementTests
{
    private static readonly IPAddress[] V4 = [IPAddress.Parse("192.0.2.100")];

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(-1)]
    public void V2_interval_outside_1_to_255_seconds_names_the_field(int seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => VrrpAdvertisement.CreateV2(1, 100, seconds, V4));
        Assert.Equal("intervalSeconds", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(40_960)]
    public void V3_interval_must_be_whole_centiseconds_up_to_40_95_s(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            VrrpAdvertisement.CreateV3(1, 100, TimeSpan.FromMilliseconds(milliseconds), AddressFamily.InterNetwork, V4));
        Assert.Equal("interval", error.ParamName);
    }

    [Fact]
    public void V3_interval_limits_are_accepted()
    {
        Assert.Equal(1, VrrpAdvertisement.CreateV3(1, 1, TimeSpan.FromMilliseconds(10), AddressFamily.InterNetwork, V4).IntervalCentiseconds);
        Assert.Equal(4095, VrrpAdvertisement.CreateV3(1, 1, VrrpAdvertisement.MaxV3Interval, AddressFamily.InterNetwork, V4).IntervalCentiseconds);
    }

    [Fact]
    public void Vrid_zero_is_refused()
    {
        Assert.Equal("virtualRouterId", Assert.Throws<ArgumentOutOfRangeException>(() => VrrpAdvertisement.CreateV2(0, 100, 1, V4)).ParamName);
    }

    [Fact]
    public void Addresses_must_match_the_family()
    {
        Assert.Throws<ArgumentException>(() => VrrpAdvertisement.CreateV2(1, 100, 1, [IPAddress.Parse("2001:db8::1")]));
        Assert.Throws<ArgumentException>(() => VrrpAdvertisement.CreateV3(1, 100, TimeSpan.FromSeconds(1), AddressFamily.InterNetworkV6, V4));
        Assert.Throws<ArgumentException>(() => VrrpAdvertisement.CreateV3(1, 100, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, Enumerable.Repeat(V4[0], 256)));
    }

    [Fact]
    public void Passwords_are_1_to_8_bytes_and_NUL_padded()
    {
        Assert.Equal("7365637265743100", VrrpAuthenticationData.FromPassword("secret1").ToHexString());
        Assert.Throws<ArgumentException>(() => VrrpAuthenticationData.FromPassword("123456789"));
        Assert.Throws<ArgumentException>(() => VrrpAuthenticationData.FromPassword(""));
        Assert.DoesNotContain("secret", VrrpAuthenticationData.FromPassword("secret1").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Auth_data_without_auth_type_is_refused()
    {
        Assert.Throws<ArgumentException>(() => VrrpAdvertisement.CreateV2(1, 100, 1, V4, VrrpAuthType.None, VrrpAuthenticationData.FromPassword("x")));
        Assert.Throws<ArgumentOutOfRangeException>(() => VrrpAdvertisement.CreateV2(1, 100, 1, V4, VrrpAuthType.IPAuthenticationHeader));
    }

    [Fact]
    public void TryWrite_reports_a_short_buffer_without_writing()
    {
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV2(1, 100, 1, V4);
        byte[] buffer = new byte[advert.MessageLength - 1];
        Assert.False(VrrpCodec.TryWrite(advert, buffer, IPAddress.Loopback, IPAddress.Loopback, VrrpChecksumMode.MessageOnly, out int written));
        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void TryWrite_refuses_an_uninitialized_advertisement()
    {
        Assert.Throws<ArgumentException>(() => VrrpCodec.TryWrite(default, new byte[64], IPAddress.Loopback, IPAddress.Loopback, VrrpChecksumMode.MessageOnly, out _));
    }

    [Fact]
    public void WithPriority_changes_only_the_priority()
    {
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV3(47, 102, TimeSpan.FromSeconds(1), AddressFamily.InterNetwork, V4);
        VrrpAdvertisement resign = advert.WithPriority(0);
        Assert.Equal(0, resign.Priority);
        Assert.Equal(advert, resign.WithPriority(102));
        Assert.NotEqual(advert, resign);
    }
}
