namespace Vrrp.Actions;

/// <summary>
/// keepalived's <c>vrrp_garp_interval</c> / <c>vrrp_gna_interval</c> for one interface: successive gratuitous ARPs (and,
/// on their own clock, successive unsolicited neighbour advertisements) go out at least an interval apart, whichever
/// instance sends them. A send waits its turn asynchronously on the <see cref="TimeProvider"/>; sends of one kind are
/// serialised, in arrival order as far as <see cref="SemaphoreSlim"/> allows. The first send is never delayed.
/// </summary>
internal sealed class AnnouncementPacer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Clock _arp = new();
    private readonly Clock _na = new();

    public AnnouncementPacer(TimeProvider timeProvider)
    {
        _time = timeProvider;
    }

    /// <summary>
    /// Runs <paramref name="send"/> once the previous send of the same kind is at least <paramref name="interval"/>
    /// ago; with a zero interval it runs at once (still serialised with other sends of that kind).
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting its turn; <paramref name="send"/> did not run.</exception>
    public async ValueTask<T> RunAsync<T>(bool ipv6, TimeSpan interval, Func<T> send, CancellationToken cancellationToken)
    {
        Clock clock = ipv6 ? _na : _arp;
        await clock.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (interval > TimeSpan.Zero && clock.LastSent is long last)
            {
                TimeSpan wait = interval - _time.GetElapsedTime(last);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                return send();
            }
            finally
            {
                // Stamped when the send is over (opening the device can make the first one slow), so the next one keeps
                // its distance from what reached the wire; a failed send counts too.
                clock.LastSent = _time.GetTimestamp();
            }
        }
        finally
        {
            clock.Turn.Release();
        }
    }

    /// <summary>When the last send of the kind was over (<see cref="TimeProvider.GetTimestamp"/>); null before the first. For tests.</summary>
    internal long? LastSent(bool ipv6) => (ipv6 ? _na : _arp).LastSent;

    public void Dispose()
    {
        _arp.Turn.Dispose();
        _na.Turn.Dispose();
    }

    private sealed class Clock
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public long? LastSent { get; set; }
    }
}
