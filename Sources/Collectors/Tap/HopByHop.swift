import ManagementAPI
import NIOHTTP1

/// Headers that belong to one connection, not to the call: a proxy drops them both ways
/// (RFC 9110 section 7.6.1), with any the Connection header names. The tap sets Host and the
/// framing (Content-Length, chunked) of each side itself.
enum HopByHop {
    static let names = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]
    /// `Expect: 100-continue` is answered by the tap itself, which reads the body before it forwards.
    private static let droppedForward = names + ["expect"]
    /// An answer streamed through keeps the upstream's length, so the job sees it unchanged.
    private static let droppedStreaming = names.filter { $0 != "content-length" }

    /// The job's headers as the upstream gets them, in their order and spelling.
    static func forwarded(_ headers: HTTPHeaders) -> HTTPHeaders {
        filtered(headers, dropping: droppedForward)
    }

    /// The upstream's headers as the job gets them; `keepLength` for an answer streamed
    /// through, whose Content-Length is the upstream's.
    static func answered(_ headers: HTTPHeaders, keepLength: Bool) -> HTTPHeaders {
        filtered(headers, dropping: keepLength ? droppedStreaming : names)
    }

    private static func filtered(_ headers: HTTPHeaders, dropping dropped: [String]) -> HTTPHeaders {
        // Names the Connection header lists go too (usually only "keep-alive" or "close").
        let named = headers["connection"].flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces.lowercased() }
        var kept = HTTPHeaders()
        kept.reserveCapacity(headers.count + 2)
        for (name, value) in headers where !HeaderName.isAny(name, of: dropped) && !HeaderName.isAny(name, of: named) {
            kept.add(name: name, value: value)
        }
        return kept
    }
}

