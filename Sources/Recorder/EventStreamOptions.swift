/// How `/v1/events` paces and bounds one client.
public struct EventStreamOptions: Sendable {
    /// A `: keep-alive` comment after this long without anything sent, so proxies and the
    /// viewer can tell a quiet recorder from a dead link.
    public var keepAliveInterval: Duration = .seconds(15)
    /// How often a caught-up client's feed asks the journal for rows past its last seq, when
    /// the writer is not in the same process (with it, the feed wakes on each commit).
    public var pollInterval: Duration = .milliseconds(250)
    /// Chunks (one event each) queued for a client the socket has not taken yet.
    public var clientBuffer = 256
    /// Bytes those chunks may hold (an event can carry a megabyte of errors): 256 chunks times
    /// 32 streams were 8 GiB otherwise. A chunk larger than this alone still goes, alone.
    public var clientBufferBytes = 4 << 20
    /// How long a full buffer may stay full before the client is dropped: it reconnects with
    /// its last id and loses nothing.
    public var stallTimeout: Duration = .seconds(10)
    /// Rows read from the journal per query, so a client far behind pages; fewer when rows are
    /// large, so a page stays near `clientBufferBytes`.
    public var pageSize = 500
    /// Streams served at once; one more is refused with a 503 (a viewer retries with backoff).
    public var maxClients = 32
    /// Told when a client is dropped for not reading, with the last seq queued for it.
    public var onDrop: @Sendable (_ lastQueuedSeq: Int64) -> Void = { _ in }

    public init() {}
}
