import Foundation
import Journal
import ManagementAPI
import Synchronization
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A "recorder" that a window may follow with `--source` and that tries to exhaust its
/// memory: `/healthz` and `/v1/calls` as a real one answers them, then on `/v1/events` a burst
/// of `burst` call events and, after it, `data:` lines that never end in an event. Served from
/// threads of its own with plain sockets: writing a million events from the cooperative pool
/// would hold a thread the whole test run needs.
final class HostileRecorder: Sendable {
    let port: Int
    private let listener: Int32
    private let state = Mutex<(streams: Int, sent: Int, closed: Bool)>((0, 0, false))
    let burst: Int

    init(burst: Int) throws {
        self.burst = burst
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 16) == 0 else {
            Glibc.close(socket)
            throw Failure(description: "cannot listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        listener = socket
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    var base: String { "http://127.0.0.1:\(port)" }
    /// Events of the burst written to a connection so far.
    var sent: Int { state.withLock { $0.sent } }

    func close() {
        state.withLock { $0.closed = true }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while !state.withLock({ $0.closed }) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread.detachNewThread { [self] in
                serve(connection)
                Glibc.close(connection)
            }
        }
    }

    /// One request per connection: the path decides the answer.
    private func serve(_ connection: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: Array("\r\n\r\n".utf8)), head.count < 16_384, recv(connection, &byte, 1, 0) == 1 { head.append(byte) }
        let requestLine = String(decoding: head.prefix { $0 != 0x0D }, as: UTF8.self)
        if requestLine.hasPrefix("GET /healthz") {
            let health = HealthBody(journal: "/hostile", lagMs: 0, tokens: 0, journalStatus: "ok", droppedRecords: 0, tapDropped: 0,
                                    lastSeq: 0, oldest: nil)
            respond(connection, type: "application/json", body: WireFormat.encode(health) + "\n")
        } else if requestLine.hasPrefix("GET /v1/calls") {
            respond(connection, type: "application/x-ndjson", body: "")
        } else if requestLine.hasPrefix("GET /v1/events") {
            stream(connection, first: state.withLock { state in
                state.streams += 1
                return state.streams == 1
            })
        } else {
            respond(connection, status: "404 Not Found", type: "text/plain", body: "no\n")
        }
    }

    private func respond(_ connection: Int32, status: String = "200 OK", type: String, body: String) {
        _ = write(connection, "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    /// The burst (first stream only), then data lines without end until the client goes.
    private func stream(_ connection: Int32, first: Bool) {
        guard write(connection, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n") else { return }
        if first {
            let template = Self.callLine(seq: 999_999_999_999)
            var chunk = ""
            for seq in 1...burst {
                chunk += "id: \(seq)\nevent: call\ndata: "
                chunk += template.replacingOccurrences(of: "999999999999", with: String(seq))
                chunk += "\n\n"
                if seq.isMultiple(of: 1_000) || seq == burst {
                    guard write(connection, chunk) else { return }
                    chunk = ""
                    state.withLock { $0.sent = seq }
                }
            }
        }
        let endless = String(repeating: "data: this event never ends\n", count: 1_000)
        while write(connection, endless) {}
    }

    /// A 400 of a job through the tap, as the wire carries it; the seq is replaced per event.
    static func callLine(seq: Int64) -> String {
        let record = CallRecord(
            time: Date(), token: TokenReference(fingerprint: Fingerprint(hex: "feedfacefeedface"), label: "flood"), method: "POST",
            path: "/v2/sites/Abcd1234/media/", outcome: .status(400), latency: .milliseconds(12),
            rate: RateHeaders(limit: 60, remaining: 30, requestID: nil),
            errors: [ErrorEntry(code: "invalid_body_parameter", description: String(repeating: "the title is too long; ", count: 8),
                                detail: FieldDetail(field: "title", constraint: "max_length", provided: nil))],
            source: .tap)
        return WireFormat.line(.call(JournaledCall(seq: seq, record: record, requestBody: nil)))
    }

    private func write(_ connection: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            bytes = bytes.dropFirst(count)
        }
        return true
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
