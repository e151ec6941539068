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

    /// Options a request's Connection header may name; a request naming more is refused. No
    /// client names more than two or three, and each is compared with every header name on
    /// the tap's one event loop (20 000 of them beside 40 000 headers were 800 million
    /// comparisons while every other job waited).
    static let maxConnectionOptions = 32

    /// Why a request's Connection header is refused, or nil when it may be honoured.
    static func refusal(_ headers: HTTPHeaders) -> String? {
        var options = 0
        for value in headers["connection"] {
            options += value.utf8.reduce(1) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 }
            if options > maxConnectionOptions {
                return "the Connection header names more than \(maxConnectionOptions) options; not forwarded"
            }
        }
        return nil
    }

    private static func filtered(_ headers: HTTPHeaders, dropping dropped: [String]) -> HTTPHeaders {
        // Names the Connection header lists go too (usually only "keep-alive" or "close"). A
        // request naming more than the cap was refused before; an answer's are cut at it.
        let named = Array(headers["connection"].lazy.flatMap { $0.split(separator: ",") }.prefix(maxConnectionOptions)
            .map { $0.trimmingSpaces.lowercased() })
        var kept = HTTPHeaders()
        kept.reserveCapacity(headers.count + 2)
        for (name, value) in headers where !HeaderName.isAny(name, of: dropped) && !HeaderName.isAny(name, of: named) {
            kept.add(name: name, value: value)
        }
        return kept
    }
}

