using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vrrp.Hosting;

namespace Vrrp.Host.Commands;

/// <summary>
/// <c>vrrp status [--state-file F] [--json]</c>: reads the keepalived-compatible JSON snapshot a running
/// <c>vrrp run</c> keeps (default <c>/run/vrrp/vrrp.json</c>) and prints it as a table, or raw with <c>--json</c>.
/// Exit codes: 0 printed, 1 no readable state file.
/// </summary>
internal static class StatusCommand
{
    public const int Printed = 0;
    public const int NoState = 1;

    public static Command Create()
    {
        Option<FileInfo?> stateFile = new("--state-file") { Description = $"The state file 'vrrp run' writes (default {VrrpStateFileWriter.DefaultPath})." };
        Option<FileInfo?> config = new("--config", "-f") { Description = "Read the state file this configuration names (json_file_location; JSON: StateFile)." };
        Option<bool> json = new("--json") { Description = "Print the keepalived-compatible JSON as it is." };
        Command command = new("status", "Show the state of the instances of a running 'vrrp run' (from its state file).") { stateFile, config, json };
        command.Validators.Add(result =>
        {
            if (result.GetResult(stateFile) is not null && result.GetResult(config) is not null)
            {
                result.AddError("--state-file and --config both name the state file: give one.");
            }
        });
        command.SetAction((parse, _) =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            FileInfo? file = parse.GetValue(stateFile);
            if (parse.GetValue(config) is { } configFile)
            {
                try
                {
                    file = new FileInfo(ConfigurationFile.Import(configFile.FullName).StateFile ?? VrrpStateFileWriter.DefaultPath);
                }
                catch (Exception e) when (e is IOException or FormatException or Configuration.KeepalivedConfigException)
                {
                    error.WriteLine($"error: {e.Message}");
                    return Task.FromResult(NoState);
                }
            }

            return Task.FromResult(Run(file ?? new FileInfo(VrrpStateFileWriter.DefaultPath), parse.GetValue(json), parse.InvocationConfiguration.Output, error));
        });
        return command;
    }

    public static int Run(FileInfo stateFile, bool json, TextWriter output, TextWriter error)
    {
        string text;
        try
        {
            text = File.ReadAllText(stateFile.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read the state file {stateFile.FullName} ({e.Message}); is 'vrrp run' running, with this --state-file?");
            return NoState;
        }

        if (json)
        {
            output.WriteLine(text.TrimEnd());
            return Printed;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            WriteTable(document.RootElement, output);
            return Printed;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            error.WriteLine($"error: {stateFile.FullName} is not a VRRP state file: {e.Message}");
            return NoState;
        }
    }

    private static void WriteTable(JsonElement root, TextWriter output)
    {
        string[] header = ["INSTANCE", "STATE", "VRID", "PRIORITY", "BASE", "MASTER", "MASTER PRIO", "VIPS", "LAST TRANSITION"];
        List<string[]> rows = [header];
        foreach (JsonElement entry in root.EnumerateArray())
        {
            JsonElement data = entry.GetProperty("data");
            double last = data.GetProperty("last_transition").GetDouble();
            rows.Add(
            [
                data.GetProperty("iname").GetString() ?? "",
                data.GetProperty("state_name").GetString() ?? "",
                Number(data, "vrid"),
                Number(data, "effective_priority"),
                Number(data, "base_priority"),
                data.TryGetProperty("master_saddr", out JsonElement master) && master.ValueKind == JsonValueKind.String ? master.GetString()! : "-",
                Number(data, "master_priority"),
                string.Join(",", data.GetProperty("vips").EnumerateArray().Select(v => v.GetString())) is { Length: > 0 } vips ? vips : "-",
                last > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(last * 1000)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "-",
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length))];
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        if (rows.Count == 1)
        {
            output.WriteLine("(no instance)");
        }
    }

    private static string Number(JsonElement data, string name) => data.GetProperty(name).GetInt32().ToString(CultureInfo.InvariantCulture);
}
