using SharpFuzz;
using Vrrp.Fuzz;

// AFL++ in persistent mode through SharpFuzz (see docs/fuzzing.md):
//   afl-fuzz -i fuzz/seeds -o findings -- dotnet fuzz/Vrrp.Fuzz/bin/Release/net10.0/Vrrp.Fuzz.dll
// With a file argument it runs that one input (to reproduce a finding); `--seeds VECTORS_DIR OUT_DIR` writes the
// starting corpus from the keepalived captures.
if (args is ["--seeds", string vectors, string output])
{
    Directory.CreateDirectory(output);
    int n = 0;
    foreach (string file in Directory.GetFiles(vectors, "s*.json").Order(StringComparer.Ordinal))
    {
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        foreach (System.Text.Json.JsonElement packet in json.RootElement.GetProperty("packets").EnumerateArray())
        {
            byte[] ip = Convert.FromHexString(packet.GetProperty("ip_packet_hex").GetString()!);
            byte[] message = Convert.FromHexString(packet.GetProperty("vrrp_hex").GetString()!);
            bool v6 = packet.GetProperty("ip_version").GetInt32() == 6;
            File.WriteAllBytes(Path.Combine(output, $"seed{n++:D3}"), [0, .. ip]);
            File.WriteAllBytes(Path.Combine(output, $"seed{n++:D3}"), [(byte)(v6 ? 2 : 1), .. message]);
            File.WriteAllBytes(Path.Combine(output, $"seed{n++:D3}"), [4, .. ip]);
        }
    }

    Console.WriteLine($"{n} seeds in {output}");
    return;
}

// --config: the configuration reader and importer (FuzzTargets.RunConfiguration) instead of the packet path.
bool config = args.Length > 0 && args[0] == "--config";
string[] rest = config ? args[1..] : args;
Action<byte[]> target = config ? input => FuzzTargets.RunConfiguration(input) : input => FuzzTargets.Run(input);
if (rest.Length == 1)
{
    target(File.ReadAllBytes(rest[0]));
    Console.WriteLine("no exception");
    return;
}

Fuzzer.Run(stream =>
{
    using MemoryStream buffer = new();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
