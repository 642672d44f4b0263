using System.Text;

namespace Vrrp;

/// <summary>
/// PascalCase to snake_case for counter and metric names, acronym-aware: <c>BadIPHeaderChecksum</c> becomes
/// <c>bad_ip_header_checksum</c>, <c>UnsupportedIPv6ExtensionHeader</c> becomes <c>unsupported_ipv6_extension_header</c>. One rule for every name we publish.
/// </summary>
internal static class SnakeCase
{
    public static string Convert(string name)
    {
        // "IPv4"/"IPv6" are one word, not "I" + "Pv6".
        name = name.Replace("IPv4", "Ipv4", StringComparison.Ordinal).Replace("IPv6", "Ipv6", StringComparison.Ordinal);
        StringBuilder text = new(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (boundary)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
