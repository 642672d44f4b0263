using System.Security.Cryptography;
using System.Text;
using Vrrp.Configuration;

namespace Vrrp.Host.Commands;

/// <summary>Loads a configuration file in either form: keepalived.conf, or the JSON form (<c>.json</c> extension, or content starting with <c>{</c>).</summary>
internal static class ConfigurationFile
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

        string main = File.ReadAllText(path);
        Add(path, main);
        if (!VrrpJsonConfiguration.IsJsonFile(path))
        {
            _ = KeepalivedSyntax.Parse(main, path, included =>
            {
                string text = File.ReadAllText(included);
                Add(included, text);
                return text;
            });
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The form of <paramref name="path"/>, for messages.</summary>
    public static string FormOf(string path) => VrrpJsonConfiguration.IsJsonFile(path) ? "JSON" : "keepalived.conf";
}
