import NIOCore
import NIOHTTP1

/// The HTTP/1 handlers of a job connection, the same on origin-form, proxy and decrypted
/// connections: NIO's server pipeline without its pipelining helper, its error answers or its
/// outbound header checks (the proxy handler does each itself).
enum TapHTTPHandlers {
    static func add(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        // An upgrade configuration without upgraders: NIO's handler for it steps aside at the
        // first request, and its presence makes the request decoder keep what follows a
        // CONNECT's head (`.forwardBytes`) for the tunnel or TLS that takes the connection
        // over, instead of dropping it, so a client that does not wait for the 200 loses nothing.
        // Outbound header validation is off: every header the tap writes either came through
        // NIO's parser, which refuses what the validator looks for, or is the tap's own (a
        // length, Connection). It cost a tenth of a call's CPU.
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withServerUpgrade: (upgraders: [], completionHandler: { _ in }),
            withErrorHandling: false, withOutboundHeaderValidation: false)
    }
}
