using Vrrp.Routing;

namespace Vrrp.Diagnostics;

/// <summary>keepalived's numeric state codes (vrrp.h) and upper-case names, shared by the metrics, the snapshot and the health check.</summary>
public static class VrrpStateCodes
{
    /// <summary>keepalived <c>VRRP_STATE_STOP</c>, used for <see cref="VrrpState.Stopped"/>.</summary>
    public const int Stopped = 98;

    /// <summary>The keepalived code of <paramref name="state"/>: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.</summary>
    public static int ToKeepalivedCode(VrrpState state) => state switch
    {
        VrrpState.Initialize => 0,
        VrrpState.Backup => 1,
        VrrpState.Master => 2,
        VrrpState.Fault => 3,
        _ => Stopped,
    };

    /// <summary>keepalived's name of <paramref name="state"/>: INIT, BACKUP, MASTER, FAULT or STOP.</summary>
    public static string ToKeepalivedName(VrrpState state) => state switch
    {
        VrrpState.Initialize => "INIT",
        VrrpState.Backup => "BACKUP",
        VrrpState.Master => "MASTER",
        VrrpState.Fault => "FAULT",
        _ => "STOP",
    };
}
