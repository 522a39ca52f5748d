using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The silo's feed of job events: every durable transition of the queues whose grains run on this silo, numbered in the
/// order they arrive (numbers start afresh with the process). The last <see cref="WorkersOptions.EventFeedWindow"/> events are
/// kept, so a reader that reconnects with the last number it saw resumes where it left off, as long as that is still in the
/// window (otherwise it learns that it missed some). A reader that falls more than the window behind is cut off and resumes
/// the same way. <c>GET /api/events</c> streams it.
/// </summary>
/// <remarks>
/// The window is kept while a reader is connected and for <see cref="WorkersOptions.EventFeedHold"/> after the last one left (long
/// enough for any reconnect); with nobody reading for longer, events are only numbered. Holding ten thousand events costs a
/// busy silo real collector time (each lives past several gen-0 collections), and a silo nobody watches should not pay it.
/// </remarks>
public sealed class JobEventFeed : IJobEventSink
{
    private readonly Lock gate = new();
    private readonly Entry[] ring;
    private readonly List<Subscriber> subscribers = [];
    private readonly long holdMs;
    private long last;            // the id of the newest event; ids start at 1
    private long keepUntil;       // Environment.TickCount64 until which the window is kept with no reader (0: not kept)
    private bool ringCleared = true;

    public JobEventFeed(IOptions<WorkersOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ring = new Entry[options.Value.EventFeedWindow];
        holdMs = (long)options.Value.EventFeedHold.TotalMilliseconds;
    }

    /// <summary>Names this feed (random per process): event ids are <c>{Instance}-{n}</c>, so an id from another silo or an earlier
    /// process is recognised as such rather than taken for a position in this one.</summary>
    public string Instance { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    /// <summary>The id of the newest event so far (0: none).</summary>
    public long Last
    {
        get
        {
            lock (gate)
            {
                return last;
            }
        }
    }

    public ValueTask OnEventsAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (gate)
        {
            if (subscribers.Count == 0 && Environment.TickCount64 >= keepUntil)
            {
                // Nobody reads, nobody will resume: number the events, keep none (and let go of what was kept).
                if (!ringCleared)
                {
                    Array.Clear(ring);
                    ringCleared = true;
                }

                last += events.Count;
                return ValueTask.CompletedTask;
            }

            ringCleared = false;
            foreach (var change in events)
            {
                var entry = new Entry(++last, change);
                ring[last % ring.Length] = entry;
                for (int i = subscribers.Count - 1; i >= 0; i--)
                {
                    var subscriber = subscribers[i];
                    if (subscriber.Filter(change) && !subscriber.Live.Writer.TryWrite(entry))
                    {
                        // Too far behind: cut it off; it resumes from its last id like any reconnecting reader.
                        subscriber.Live.Writer.TryComplete(new FeedLaggedException());
                        subscribers.RemoveAt(i);
                        keepUntil = Environment.TickCount64 + holdMs;
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Reads the feed from after <paramref name="after"/> (null: only what comes next): the events still kept since then that
    /// pass <paramref name="filter"/>, whether some in between were no longer kept (<see cref="Subscription.Missed"/>), and the
    /// live events that follow. Dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe(long? after, Func<JobEvent, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var live = Channel.CreateBounded<Entry>(new BoundedChannelOptions(ring.Length) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var subscriber = new Subscriber(filter, live);
        lock (gate)
        {
            long from = Math.Max(after ?? last, 0) + 1;
            long oldest = Math.Max(1, last - ring.Length + 1);
            bool missed = after is not null && from < oldest && from <= last;
            var backlog = new List<Entry>();
            for (long id = Math.Max(from, oldest); id <= last; id++)
            {
                var entry = ring[id % ring.Length];
                if (entry is null || entry.Id != id)
                {
                    missed = true;   // numbered while nobody read: not kept
                }
                else if (filter(entry.Event))
                {
                    backlog.Add(entry);
                }
            }

            subscribers.Add(subscriber);
            return new Subscription(this, subscriber, backlog, missed, live.Reader);
        }
    }

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (gate)
        {
            if (subscribers.Remove(subscriber) && subscribers.Count == 0)
            {
                keepUntil = Environment.TickCount64 + holdMs;
            }
        }

        subscriber.Live.Writer.TryComplete();
    }

    /// <summary>One event of the feed and its number.</summary>
    public sealed record Entry(long Id, JobEvent Event);

    /// <summary>A reader's view of the feed: the events kept since it asked, then the live ones.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly JobEventFeed feed;
        private readonly Subscriber subscriber;

        internal Subscription(JobEventFeed feed, Subscriber subscriber, IReadOnlyList<Entry> backlog, bool missed, ChannelReader<Entry> live)
        {
            this.feed = feed;
            this.subscriber = subscriber;
            Backlog = backlog;
            Missed = missed;
            Live = live;
        }

        public IReadOnlyList<Entry> Backlog { get; }

        /// <summary>Events between the reader's last id and <see cref="Backlog"/> are no longer kept.</summary>
        public bool Missed { get; }

        /// <summary>The events that follow; it ends with a <see cref="FeedLaggedException"/> if the reader falls too far behind.</summary>
        public ChannelReader<Entry> Live { get; }

        public void Dispose() => feed.Unsubscribe(subscriber);
    }

    internal sealed record Subscriber(Func<JobEvent, bool> Filter, Channel<Entry> Live);
}

/// <summary>A feed reader fell further behind than the feed keeps; it may resume from the last id it saw.</summary>
public sealed class FeedLaggedException : Exception
{
    public FeedLaggedException()
        : base("The reader fell too far behind the event feed.")
    {
    }

    public FeedLaggedException(string message)
        : base(message)
    {
    }

    public FeedLaggedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
