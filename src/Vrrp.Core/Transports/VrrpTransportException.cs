namespace Vrrp.Transports;

/// <summary>A transport could not start or run: the message says why and what to do (e.g. missing privilege).</summary>
public sealed class VrrpTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VrrpTransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public VrrpTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
