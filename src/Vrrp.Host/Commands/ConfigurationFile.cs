using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Vrrp.Configuration;

namespace Vrrp.Host.Commands;

/// <summary>Loads a configuration file in either form: keepalived.conf, or the JSON form (<c>.json</c> extension, or content starting with <c>{</c>).</summary>
internal static partial class ConfigurationFile
{
    /// <summary>Imports <paramref name="path"/>.</summary>
    /// <exception cref="ConfigSyntaxException">Malformed file.</exception>
    /// <exception cref="KeepalivedConfigException">Invalid values, each with its position.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static KeepalivedConfiguration Import(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        return VrrpJsonConfiguration.IsJsonFile(path) ? VrrpJsonConfiguration.ImportFile(path) : KeepalivedImporter.ImportFile(path);
    }

    /// <summary>
    /// A digest of what <paramref name="path"/> is made of: its text and, for keepalived.conf, every file its
    /// <c>include</c>s read, with their names — so a reload can tell a changed configuration from an unchanged one.
    /// </summary>
    /// <exception cref="ConfigSyntaxException">Malformed file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Fingerprint(string path)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string name, string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name.Length}:{name}{text.Length}:"));
            hash.AppendData(Encoding.UTF8.GetBytes(text));
        }

        string main = KeepalivedSyntax.ReadFile(path);
        Add(path, main);
        if (!VrrpJsonConfiguration.IsJsonFile(path))
        {
            _ = KeepalivedSyntax.Parse(main, path, included =>
            {
                string text = KeepalivedSyntax.ReadFile(included);
                Add(included, text);
                return text;
            });
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>
    /// Each unsupported keyword once, with every place it stands:
    /// <c>unsupported: 'smtp_alert' at host.conf lines 3, 17; extra.conf line 2: 'smtp_alert' in ... is not supported yet</c>.
    /// </summary>
    public static void WriteUnsupported(IReadOnlyList<ConfigDiagnostic> unsupported, string prefix, TextWriter error)
    {
        foreach (IGrouping<string, ConfigDiagnostic> keyword in unsupported.GroupBy(KeywordOf, StringComparer.Ordinal))
        {
            IEnumerable<string> places = keyword.GroupBy(d => d.Location.File, StringComparer.Ordinal).Select(file =>
            {
                int[] lines = [.. file.Select(d => d.Location.Line).Distinct().Order()];
                return $"{file.Key} {(lines.Length > 1 ? "lines" : "line")} {string.Join(", ", lines)}";
            });
            error.WriteLine($"{prefix}: {keyword.Key} at {string.Join("; ", places)}: {keyword.First().Message}");
        }
    }

    private static string KeywordOf(ConfigDiagnostic diagnostic) =>
        QuotedWord().Match(diagnostic.Message) is { Success: true } match ? match.Value : diagnostic.Message;

    [GeneratedRegex("'[^']+'")]
    private static partial Regex QuotedWord();

    /// <summary>The form of <paramref name="path"/>, for messages.</summary>
    public static string FormOf(string path) => VrrpJsonConfiguration.IsJsonFile(path) ? "JSON" : "keepalived.conf";
}
