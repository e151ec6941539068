import CompressNIO
import NIOCore

/// Undoes a response's `Content-Encoding` (gzip, deflate) under a cap on the decoded size.
/// Gateways compress whenever the caller asks (DESIGN.md section 1), so the client and the
/// tap both pass wire bytes through here before decoding them. The cap is what keeps a
/// gzip bomb (a few KB that inflate to gigabytes) from exhausting memory: inflation stops
/// at the cap, however large the body claims to be.
public enum ContentDecoding {
    /// The decoded bytes, at most the cap; `truncated` when the body decodes to more.
    public struct Decoded: Sendable, Hashable {
        public let bytes: [UInt8]
        public let truncated: Bool

        public init(bytes: [UInt8], truncated: Bool) {
            self.bytes = bytes
            self.truncated = truncated
        }
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Claims the coding but is not in it (garbage, a damaged or cut stream).
        case corrupt(coding: String, reason: String)
        /// A coding mapitop does not decode (br, zstd…).
        case unsupported(coding: String)
        /// More codings stacked than any gateway applies: each would be inflated in turn.
        case tooManyCodings(count: Int)

        public var description: String {
            switch self {
            case .corrupt(let coding, let reason): "the body claims Content-Encoding \(coding) but does not decode: \(reason)"
            // The name came off the network: a long one is cut, the sanitizer does the rest.
            case .unsupported(let coding): "the body has Content-Encoding \(coding.prefix(40)), which mapitop does not decode"
            case .tooManyCodings(let count): "the body claims \(count) Content-Encodings, more than the \(maxCodings) mapitop undoes"
            }
        }
    }

    /// What the client sends as `Accept-Encoding`: the one coding every gateway offers.
    public static let acceptEncoding = "gzip"

    /// The two bytes every gzip member opens with (RFC 1952 section 2.3.1).
    public static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// The codings of a `Content-Encoding` header in the order they were applied, lowercased,
    /// without `identity` (RFC 9110 section 8.4). Empty when the body is plain.
    public static func codings(_ header: String?) -> [String] {
        guard let header else { return [] }
        return header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
    }

    /// Codings undone at most: a gateway applies one; a header naming a thousand would have the
    /// decoder inflate a thousand times.
    public static let maxCodings = 2

    /// The body with its codings undone, last applied first, each under `limit` bytes.
    public static func decode(_ body: [UInt8], contentEncoding: String?, limit: Int) throws(Failure) -> Decoded {
        var current = Decoded(bytes: body, truncated: false)
        let codings = codings(contentEncoding)
        guard codings.count <= maxCodings else { throw .tooManyCodings(count: codings.count) }
        for coding in codings.reversed() {
            // A cut stream cannot be inflated past its end: what came out so far is kept.
            let inner = try inflate(current.bytes, coding: coding, limit: limit)
            current = Decoded(bytes: inner.bytes, truncated: inner.truncated || current.truncated)
        }
        if current.bytes.count > limit {
            return Decoded(bytes: Array(current.bytes.prefix(limit)), truncated: true)
        }
        return current
    }

    private static func inflate(_ body: [UInt8], coding: String, limit: Int) throws(Failure) -> Decoded {
        switch coding {
        case "gzip", "x-gzip":
            return try inflate(body, algorithm: .gzip, coding: coding, limit: limit)
        case "deflate":
            // RFC 9110 means zlib-wrapped deflate; some servers send it raw.
            do {
                return try inflate(body, algorithm: .zlib, coding: coding, limit: limit)
            } catch {
                return try inflate(body, algorithm: .deflate, coding: coding, limit: limit)
            }
        default:
            throw .unsupported(coding: coding)
        }
    }

    /// Inflates in windows of 16 KiB, keeping at most `limit` bytes: memory stays bounded
    /// by the cap whatever the compression ratio.
    private static func inflate(_ body: [UInt8], algorithm: ZlibAlgorithm, coding: String, limit: Int) throws(Failure) -> Decoded {
        guard !body.isEmpty else { return Decoded(bytes: [], truncated: false) }
        let inflater: ZlibDecompressor
        do {
            inflater = try ZlibDecompressor(algorithm: algorithm)
        } catch {
            throw .corrupt(coding: coding, reason: "the decoder could not start (\(error))")
        }
        var input = ByteBuffer(bytes: body)
        var output: [UInt8] = []
        while true {
            var window = ByteBufferAllocator().buffer(capacity: 16 << 10)
            let unread = input.readableBytes
            var needsInput = false
            do {
                try inflater.inflate(from: &input, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The window filled up: take it and go on.
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                needsInput = true
            } catch {
                throw .corrupt(coding: coding, reason: "\(error)")
            }
            let room = limit - output.count
            if window.readableBytes > room {
                output.append(contentsOf: window.readableBytesView.prefix(room))
                return Decoded(bytes: output, truncated: true)
            }
            output.append(contentsOf: window.readableBytesView)
            if needsInput {
                // The input ran out before the stream's end: a cut or damaged body.
                throw .corrupt(coding: coding, reason: "the stream ends early (\(body.count) bytes)")
            }
            if window.readableBytes == 0, input.readableBytes == unread {
                // No progress and no complaint: zlib has seen the end of the stream.
                guard input.readableBytes == 0 else {
                    throw .corrupt(coding: coding, reason: "\(input.readableBytes) bytes follow the end of the stream")
                }
                return Decoded(bytes: output, truncated: false)
            }
        }
    }
}
