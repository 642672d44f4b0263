using System.CommandLine;
using System.Globalization;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Host.Commands;

/// <summary>
/// <c>vrrp check-config FILE</c>: parses and validates a keepalived.conf or a JSON configuration without running it.
/// Prints every error at <c>file:line:column</c>, each unsupported keyword once with the lines it is on, and a
/// summary of the instances. Exit codes: 0 valid, 2 invalid (or unsupported keywords without <c>--ignore-unsupported</c>, as <c>vrrp run</c> would refuse).
/// </summary>
internal static class CheckConfigCommand
{
    public const int Valid = 0;
    public const int Invalid = 2;

    public static Command Create()
    {
        Argument<FileInfo> file = new("FILE") { Description = "keepalived.conf, or a JSON configuration (.json, or content starting with '{')." };
        Option<bool> ignoreUnsupported = new("--ignore-unsupported") { Description = "Accept keywords this version does not support yet (they are listed either way), as 'vrrp run --ignore-unsupported' does." };
        Command command = new("check-config", "Parse and validate a keepalived.conf or JSON configuration; print errors with file:line:column and a summary. Exit 0 valid, 2 invalid.")
        {
            file, ignoreUnsupported,
        };
        command.SetAction((parse, _) => Task.FromResult(Run(parse.GetValue(file)!, parse.GetValue(ignoreUnsupported), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error)));
        return command;
    }

    public static int Run(FileInfo file, bool ignoreUnsupported, TextWriter output, TextWriter error,
        IReadOnlyList<(System.Net.IPAddress Address, int PrefixLength)>? localNetworks = null)
    {
        KeepalivedConfiguration configuration;
        try
        {
            configuration = ConfigurationFile.Import(file.FullName);
        }
        catch (ConfigSyntaxException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Invalid;
        }
        catch (KeepalivedConfigException e)
        {
            foreach (ConfigDiagnostic diagnostic in e.Errors)
            {
                error.WriteLine($"error: {diagnostic}");
            }

            ConfigurationFile.WriteUnsupported(e.Unsupported, "unsupported", error);
            error.WriteLine($"{file.Name}: {e.Errors.Count} error(s).");
            return Invalid;
        }
        catch (IOException e)
        {
            error.WriteLine($"error: cannot read {file.FullName}: {e.Message}");
            return Invalid;
        }

        foreach (ConfigDiagnostic warning in configuration.Warnings)
        {
            error.WriteLine($"warning: {warning}");
        }

        foreach (string warning in ConnectedPeers.Warnings(configuration, localNetworks ?? ConnectedPeers.Local()))
        {
            error.WriteLine($"warning: {warning}");
        }

        ConfigurationFile.WriteUnsupported(configuration.Unsupported, "unsupported", error);
        if (configuration.Instances.IsEmpty)
        {
            error.WriteLine($"error: {file.FullName} has no VRRP instance.");
            return Invalid;
        }

        WriteSummary(configuration, ConfigurationFile.FormOf(file.FullName), file.Name, output);
        try
        {
            if (Vrrp.Aws.AwsHostConfiguration.FromJsonFile(file.FullName) is { } aws)
            {
                output.WriteLine($"  AWS: {aws.Actions.Count} address action(s): {string.Join(", ", aws.Actions.Select(a => $"{a.Instance ?? "every instance"} -> {(a.ElasticIp is not null ? "Elastic IP " + a.ElasticIp.AllocationId : a.SecondaryPrivateIp is not null ? "secondary IP " + a.SecondaryPrivateIp.PrivateIpAddress : "route " + a.RouteTable!.DestinationCidrBlock)}"))}");
            }
        }
        catch (FormatException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Invalid;
        }

        if (!configuration.Unsupported.IsEmpty && !ignoreUnsupported)
        {
            error.WriteLine("error: the configuration uses what this version does not support yet (listed above); 'vrrp run' refuses it unless --ignore-unsupported.");
            return Invalid;
        }

        return Valid;
    }

    private static void WriteSummary(KeepalivedConfiguration configuration, string form, string name, TextWriter output)
    {
        output.WriteLine($"{name}: valid {form} configuration: {configuration.Instances.Length} instance(s), {configuration.Trackers.Length} tracker(s), {configuration.SyncGroups.Length} sync group(s).");
        foreach (KeepalivedInstance instance in configuration.Instances)
        {
            VirtualRouterOptions o = instance.Options;
            string interval = o.AdvertisementInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {o.Name}: VRID {o.VirtualRouterId}, VRRPv{(int)o.Version}, priority {o.Priority}, {o.InitialState.ToString().ToUpperInvariant()} at start{(o.Preempt ? "" : ", nopreempt")}, advert {interval} s"));
            output.WriteLine($"    {o.UnicastSource} -> {(o.Peers.Count == 0 ? "(no peer)" : string.Join(", ", o.Peers.Select(p => p.Address)))}{(instance.Interface is null ? "" : $" on {instance.Interface}")}");
            output.WriteLine($"    virtual addresses: {(o.VirtualAddresses.Count == 0 ? "none (moved by an action)" : string.Join(", ", o.VirtualAddresses))}");
            if (o.Trackers.Count > 0)
            {
                output.WriteLine($"    trackers: {string.Join(", ", o.Trackers.Select(t => t.Weight == 0 ? $"{t.Name} (fault)" : string.Create(CultureInfo.InvariantCulture, $"{t.Name} ({t.Weight:+0;-0}{(t.Reverse ? " reverse" : "")})")))}");
            }
        }

        foreach (KeepalivedSyncGroup group in configuration.SyncGroups)
        {
            output.WriteLine($"  sync group {group.Name}: {string.Join(", ", group.Instances)}");
        }
    }
}
