namespace Vrrp.Actions;

/// <summary>A <see cref="LocalAddressAction"/> could not change an address or send an announcement: the message says what and why.</summary>
public sealed class LocalAddressActionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalAddressActionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public LocalAddressActionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LocalAddressActionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
