import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client for streaming responses: it reads only when told to, so a test can be
/// the slow client, and it never blocks a thread (non-blocking socket, polled with sleeps).
final class RawHTTPClient {
    enum Failure: Error { case connect(Int32) }

    private let socket: Int32
    /// The response head (and the start of the body that came with it).
    private(set) var received = ""
    private(set) var closedByServer = false
    /// Every byte read off the socket so far, head and framing included.
    private(set) var bytesRead = 0

    /// `receiveBuffer`: see `LoopbackSocket.connect`.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        do {
            socket = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        } catch let failure as LoopbackSocket.ConnectFailed {
            throw Failure.connect(failure.code)
        }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    deinit { Glibc.close(socket) }

    func get(_ target: String, headers: [String: String] = [:]) {
        var request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what has arrived until `done(received)` holds, the server closes, or `limit` passes.
    @discardableResult
    func read(within limit: Duration = .seconds(60), until done: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if done(received) { return true }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 {
                bytesRead += count
                if !inBody { received += String(decoding: buffer[0..<count], as: UTF8.self) }
                absorb(buffer[0..<count])
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                closedByServer = true
                return done(received)
            }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // Incremental decoding, so a test reading megabytes stays linear.
    private var raw: [UInt8] = []
    private var cursor = 0
    private var inBody = false
    private var bodyBytes: [UInt8] = []
    private var eventCursor = 0
    /// The SSE events decoded so far: (id, event, data) for each block with an id.
    private(set) var events: [(id: Int64, event: String, data: String)] = []
    /// The SSE comment lines decoded so far, e.g. "keep-alive".
    private(set) var comments: [String] = []

    private func absorb(_ bytes: ArraySlice<UInt8>) {
        raw += bytes
        if !inBody, let end = find([13, 10, 13, 10], in: raw, from: 0) {
            inBody = true
            cursor = end + 4
        }
        // Chunked transfer framing: "<hex size>\r\n<data>\r\n", repeated.
        while inBody, let lineEnd = find([13, 10], in: raw, from: cursor),
              let size = Int(String(decoding: raw[cursor..<lineEnd], as: UTF8.self), radix: 16), size > 0,
              lineEnd + 2 + size + 2 <= raw.count {
            bodyBytes += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            cursor = lineEnd + 2 + size + 2
        }
        while let end = find([10, 10], in: bodyBytes, from: eventCursor) {
            let block = String(decoding: bodyBytes[eventCursor..<end], as: UTF8.self)
            eventCursor = end + 2
            var id: Int64?, event = "", data = ""
            for line in block.components(separatedBy: "\n") {
                if line.hasPrefix(": ") { comments.append(String(line.dropFirst(2))) }
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            if let id { events.append((id, event, data)) }
        }
    }

    private func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index + 1] == pattern[1], pattern.count == 2 || (bytes[index + 2] == pattern[2] && bytes[index + 3] == pattern[3]) {
                return index
            }
            index += 1
        }
        return nil
    }
}
