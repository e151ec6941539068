import NIOCore

/// One side of a blind tunnel: what one channel reads, its partner writes, as SwiftNIO's
/// connect-proxy example glues two channels. Reading waits while the partner cannot write, so
/// a side that stalls holds the other back (TCP's own backpressure) instead of filling memory.
/// A half-close passes through; silence both ways for the client timeout (the job side's
/// `IdleStateHandler`), an error, a stopping tap, or either side closing ends both.
final class TunnelGlue: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Reads of up to 256 KiB: a bulk upload crosses in a quarter of the system calls of
    /// NIO's 64 KiB default (the tunnel went from 0.80 of a direct upload's rate).
    static let reads = AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 16_384, maximum: 256 << 10)
    /// What one side holds for a partner that is slower: at most 512 KiB before reading stops,
    /// so a stalled side costs the tap about that much per direction, not a whole upload.
    static let pending = ChannelOptions.Types.WriteBufferWaterMark(low: 128 << 10, high: 512 << 10)

    private var partner: TunnelGlue?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    private init() {}

    static func matchedPair() -> (TunnelGlue, TunnelGlue) {
        let first = TunnelGlue()
        let second = TunnelGlue()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    // MARK: What the partner asks of this side

    private func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func partnerFlush() { context?.flush() }
    private func partnerWriteEOF() { context?.close(mode: .output, promise: nil) }
    /// The other side has gone: what this side still holds for its peer is written first (a
    /// slow reader after a half-close still gets the tail), then it closes.
    private func partnerClosedGracefully() {
        guard let context else { return }
        let fallback = context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainLimit) { context.close(promise: nil) }
        context.writeAndFlush(NIOAny(ByteBuffer())).assumeIsolated().whenComplete { _ in
            fallback.cancel()
            context.close(promise: nil)
        }
    }

    /// An error, the idle timeout or a stopping tap: no tail is owed.
    private func partnerClose() { context?.close(promise: nil) }

    /// How long a side may take to read the tail its partner left before it is closed anyway.
    static let drainLimit = TimeAmount.seconds(60)
    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    // MARK: This side's events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.partnerWrite(data) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.partnerFlush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.partnerClosedGracefully() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            partner?.partnerWriteEOF()
        case is IdleStateHandler.IdleStateEvent, is ChannelShouldQuiesceEvent:
            // Silent for the client timeout, or the tap is stopping: a tunnel has no call
            // boundary to wait for.
            partner?.partnerClose()
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerClose()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
