using System.CommandLine;
using Vrrp.Host.Commands;

RootCommand root = new("vrrp: VRRPv2/v3 over unicast for .NET, keepalived-compatible.")
{
    DemoCommand.Create(),
    DecodeCommand.Create(),
    RunCommand.Create(),
    CheckConfigCommand.Create(),
    StatusCommand.Create(),
};

return root.Parse(args).Invoke();
