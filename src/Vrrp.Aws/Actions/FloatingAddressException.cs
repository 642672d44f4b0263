namespace Vrrp.Aws;

/// <summary>
/// Thrown by <see cref="FloatingAddressAction.OnEventAsync"/> when the address could not be taken within the deadline, so
/// the failover pipeline reports the run as failed. The action keeps retrying in the background while MASTER.
/// </summary>
public sealed class FloatingAddressException : Exception
{
    /// <summary>Creates the exception for a failed result.</summary>
    /// <param name="addressName">The address's name.</param>
    /// <param name="result">The failed result.</param>
    public FloatingAddressException(string addressName, FloatingAddressResult result)
        : base($"{addressName}: could not take the address after {result?.Attempts} attempt(s) in {(long)(result?.Elapsed.TotalMilliseconds ?? 0)} ms: {result?.Reason}; retrying in the background while MASTER")
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>Creates the exception with a message only (no result).</summary>
    public FloatingAddressException()
        : this("floating address", new FloatingAddressResult(FloatingAddressOutcome.Failed, "unknown", 0, TimeSpan.Zero, null))
    {
    }

    /// <summary>Creates the exception with a message (no result).</summary>
    /// <param name="message">The message.</param>
    public FloatingAddressException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception (no result).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FloatingAddressException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Result = new FloatingAddressResult(FloatingAddressOutcome.Failed, message, 0, TimeSpan.Zero, null);
    }

    /// <summary>The failed result.</summary>
    public FloatingAddressResult Result { get; }
}
