import AsyncHTTPClient
import NIOCore

/// Reads a response body up to a cap, and drains (discards) the rest so the connection can
/// be reused, up to a hard limit past which the body is abandoned.
enum BodyReader {
    struct Result {
        let bytes: [UInt8]
        let truncated: Bool
    }

    static func read(_ body: HTTPClientResponse.Body, cap: Int, discardLimit: Int) async throws -> Result {
        var bytes: [UInt8] = []
        var seen = 0
        for try await chunk in body {
            seen += chunk.readableBytes
            if bytes.count < cap {
                let take = min(cap - bytes.count, chunk.readableBytes)
                bytes.append(contentsOf: chunk.readableBytesView.prefix(take))
            }
            if seen > discardLimit { throw NIOTooManyBytesError(maxBytes: discardLimit) }
        }
        return Result(bytes: bytes, truncated: seen > bytes.count)
    }
}
