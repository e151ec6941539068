import Hummingbird
import NIOCore

/// The admin server's request context: Hummingbird's, plus both ends of the connection, which
/// `AdminAccess` needs to tell whose socket asks (DESIGN.md section 8, "Who may read it").
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address and port; nil when the channel has none (an in-memory test).
    public let peer: SocketAddress?
    /// The address and port the server answered on.
    public let local: SocketAddress?
    /// The connection: an event stream whose client stopped reading closes it, which fails the
    /// write that waits on it (cancelling the response's own task from another is not allowed).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
        local = source.channel.localAddress
        channel = source.channel
    }
}
