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

    /// <summary>The form of <paramref name="path"/>, for messages.</summary>
    public static string FormOf(string path) => VrrpJsonConfiguration.IsJsonFile(path) ? "JSON" : "keepalived.conf";
}
