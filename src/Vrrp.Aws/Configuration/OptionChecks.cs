using System.Net;
using System.Net.Sockets;

namespace Vrrp.Aws;

/// <summary>Validation helpers whose messages name the options type and field.</summary>
internal static class OptionChecks
{
    public static ArgumentException Bad(string type, string field, string problem) => new($"{type}.{field} {problem}.", field);

    public static void Positive(string type, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw Bad(type, field, $"must be positive, got {value}");
        }
    }

    public static void ResourceId(string type, string field, string? value, string prefix)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Bad(type, field, $"is required ({prefix}...)");
        }

        if (!value.StartsWith(prefix, StringComparison.Ordinal) || value.Length == prefix.Length || value.Trim() != value)
        {
            throw Bad(type, field, $"must look like {prefix}..., got '{value}'");
        }
    }

    public static void IPv4(string type, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Bad(type, field, "is required (an IPv4 address)");
        }

        if (!IPAddress.TryParse(value, out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetwork || address.ToString() != value)
        {
            throw Bad(type, field, $"must be an IPv4 address in dotted form, got '{value}'");
        }
    }

    /// <summary>"10.0.0.5" → "10.0.0.5/32"; "10.0.0.0/24" unchanged; anything else → null.</summary>
    public static string? NormalizeCidr(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        int slash = value.IndexOf('/', StringComparison.Ordinal);
        string ip = slash < 0 ? value : value[..slash];
        int prefix = 32;
        if (slash >= 0 && !int.TryParse(value.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix))
        {
            return null;
        }

        if (prefix is < 0 or > 32 || !IPAddress.TryParse(ip, out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetwork || address.ToString() != ip)
        {
            return null;
        }

        return $"{ip}/{prefix.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
