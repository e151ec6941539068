import CompressNIO
import NIOCore

/// The simulator answers gzip when the caller asks, as a compressing gateway in front of
/// the real service does (DESIGN.md section 1), error answers included: a caller that sends
/// `Accept-Encoding: gzip` (Python's requests, Go's net/http, Node's fetch do by default)
/// gets `Content-Encoding: gzip` and the compressed length. Same body in, same bytes out.
enum GzipAnswers {
    /// Whether an `Accept-Encoding` header accepts gzip: `gzip` or `x-gzip` with q > 0, or
    /// `*` with q > 0 when gzip is not named (RFC 9110 section 12.5.3).
    static func accepts(_ header: String?) -> Bool {
        guard let header else { return false }
        var named: Bool?
        var wildcard = false
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if coding == "gzip" || coding == "x-gzip" {
                named = (named ?? false) || weight > 0
            } else if coding == "*" {
                wildcard = weight > 0
            }
        }
        return named ?? wildcard
    }

    /// The body compressed as one gzip member (zlib's defaults, no timestamp: deterministic).
    static func compress(_ body: [UInt8]) -> [UInt8]? {
        var input = ByteBuffer(bytes: body)
        guard let compressed = try? input.compress(with: .gzip()) else { return nil }
        return Array(compressed.readableBytesView)
    }

    /// The answer as the caller asked for it. Empty bodies (204) stay as they are.
    static func encode(_ response: SimulatedResponse, acceptEncoding: String?) -> SimulatedResponse {
        guard !response.body.isEmpty, accepts(acceptEncoding), let compressed = compress(response.body) else { return response }
        var encoded = response
        encoded.body = compressed
        encoded.headers.append(("Content-Encoding", "gzip"))
        encoded.headers.append(("Vary", "Accept-Encoding"))
        return encoded
    }
}
