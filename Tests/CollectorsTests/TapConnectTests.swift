import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import NIOCore
import NIOSSL
import Simulator
import Testing
import Supervision
import TestSupport
@testable import Collectors

#if canImport(Glibc)
    import Glibc
#endif

/// The tap as an HTTPS proxy on real sockets (DESIGN.md section 11): CONNECT refusals,
/// interception with a real client (AsyncHTTPClient through the proxy, trusting only
/// mapitop's authority), the faults inside an API host's tunnel, the authority replaced under
/// a running tap, and a tunnel's idle timeout.
@Suite("the tap's CONNECT on real sockets")
struct TapConnectTests {
    static let secret = TapTests.admin.secret

    /// A tap over the simulator with an authority in a folder of its own.
    func withProxyTap(clientTimeout: Duration = .seconds(60),
                      _ body: @Sendable (_ port: Int, _ sink: RecordSink, _ files: AuthorityFiles, _ upstreamPort: Int) async throws -> Void)
        async throws
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-ca-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = AuthorityFiles(folder: folder + "/ca")
        try await TapTests.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)", adjust: {
                $0.authority = files
                $0.clientTimeout = clientTimeout
            }) { port, sink in
                try await body(port, sink, files, server.port!)
            }
        }
    }

    /// AsyncHTTPClient through the tap as its HTTPS proxy, trusting only `caPEM`.
    func client(proxyPort: Int, trusting caPEM: String) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.proxy = .server(host: "127.0.0.1", port: proxyPort)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func get(_ client: HTTPClient, _ url: String) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(Self.secret)")
        let response = try await client.execute(request, timeout: .seconds(60))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// What `job` received once it holds `bytes` bytes (or the connection ended).
    static func read(_ job: RawConnection, bytes: Int) async -> String {
        await job.read { $0.utf8.count >= bytes }
    }

    /// The tap's answer to a CONNECT for the API's host, without waiting for the connection
    /// to end (after a 200 it waits for a TLS handshake).
    func connectAnswer(port: Int) async throws -> String {
        let job = try RawConnection(port: port)
        job.send("CONNECT api.jwplayer.com:443 HTTP/1.1\r\nHost: api.jwplayer.com:443\r\n\r\n")
        return await job.read { text in
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            // A refusal has a body of the length it says.
            guard let length = text.lowercased().range(of: "content-length: ") else { return true }
            let digits = text[length.upperBound...].prefix { $0.isNumber }
            return text[end.upperBound...].utf8.count >= Int(digits) ?? 0
        }
    }

    @Test("each bad CONNECT is answered in the API's shape and closed, nothing is recorded, and the tap goes on")
    func refusals() async throws {
        try await withProxyTap { port, sink, _, _ in
            let long = String(repeating: "a", count: 300) + ".example:443"
            let cases: [(request: String, status: String, says: String)] = [
                ("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n", "502", "cannot reach 127.0.0.1:1"),
                ("CONNECT bad_host!:443 HTTP/1.1\r\n\r\n", "400", "not HOST:PORT"),
                ("CONNECT \(long) HTTP/1.1\r\n\r\n", "400", "longer than"),
                ("CONNECT example.com:0 HTTP/1.1\r\n\r\n", "400", "port is 0"),
                ("CONNECT example.com HTTP/1.1\r\n\r\n", "400", "not HOST:PORT"),
                ("CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", "400", "no body"),
                ("CONNECT example.com:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400", "no body"),
            ]
            for refused in cases {
                let answer = try await rawRequest(port: port, refused.request)
                #expect(answer.hasPrefix("HTTP/1.1 \(refused.status) "), "\(refused.request.prefix(60)): \(answer)")
                #expect(answer.lowercased().contains("connection: close"), "\(answer)")
                #expect(answer.contains(#"{"errors":[{"code":"#) && answer.contains(refused.says), "\(answer)")
            }
            let after = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.secret)
            #expect(after.status == 200)
            #expect(await sink.settled().map(\.path) == ["/v2/webhooks/"])
        }
    }

    @Test("a client trusting only mapitop's authority reaches the API's host through CONNECT: the upstream answers, the call is recorded with its token; the CONNECT itself is not")
    func interception() async throws {
        try await withProxyTap { port, sink, files, _ in
            // The first CONNECT makes the authority; its client cannot trust it yet.
            let first = try await connectAnswer(port: port)
            #expect(first.hasPrefix("HTTP/1.1 200 Connection established\r\n\r\n"), "\(first)")
            let ca = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
            let client = try client(proxyPort: port, trusting: ca)
            let answer = try await get(client, "https://api.jwplayer.com/v2/webhooks/")
            let created = try await get(client, "https://API.jwplayer.com./v2/sites/Abcd1234/media/?page=1")
            try await client.shutdown()
            #expect(answer.status == 200, "\(answer.body)")
            #expect(created.status == 200, "\(created.body)")
            let records = await sink.settled()
            #expect(records.map(\.path) == ["/v2/webhooks/", "/v2/sites/Abcd1234/media/"])
            #expect(records.allSatisfy { $0.token.fingerprint == Secret(Self.secret).fingerprint })
        }
    }

    @Test("inside an API host's tunnel, bytes that are not TLS, an HTTP/2 preface, or a client gone mid-handshake close the connection; nothing is recorded and the tap goes on")
    func brokenHandshakes() async throws {
        // The client timeout is far beyond the reads' 60 s bound: only the broken handshake
        // itself can close these connections in time.
        try await withProxyTap(clientTimeout: .seconds(600)) { port, sink, _, _ in
            // A ClientHello's record header and a few bytes of it, then the end.
            let partialHello = "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}"
            for after in ["GET /v2/webhooks/ HTTP/1.1\r\nHost: api.jwplayer.com\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", partialHello] {
                let job = try RawConnection(port: port)
                job.send("CONNECT api.jwplayer.com:443 HTTP/1.1\r\nHost: api.jwplayer.com:443\r\n\r\n")
                let established = await job.read { $0.hasSuffix("\r\n\r\n") }
                #expect(established == "HTTP/1.1 200 Connection established\r\n\r\n")
                job.send(after)
                if after == partialHello { job.closeSending() }
                // The tap may answer with a TLS alert first; then it closes (a read bounded at 60 s).
                _ = await job.read()
                #expect(await job.closedByPeer(), "the tap kept a broken handshake open: \(after.prefix(20))")
            }
            let next = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.secret)
            #expect(next.status == 200)
            #expect(await sink.settled().map(\.path) == ["/v2/webhooks/"])
        }
    }

    @Test("an authority deleted under the running tap is made again for the next handshake; one replaced by garbage is a 502 that says why, and origin-form calls keep working")
    func authorityReplaced() async throws {
        try await withProxyTap { port, sink, files, _ in
            _ = try await connectAnswer(port: port)
            let before = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
            try FileManager.default.removeItem(atPath: files.folder)
            _ = try await connectAnswer(port: port)
            let after = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
            #expect(after != before)
            let client = try client(proxyPort: port, trusting: after)
            let answer = try await get(client, "https://api.jwplayer.com/v2/webhooks/")
            try await client.shutdown()
            #expect(answer.status == 200, "a client of the new authority must be served by it")

            try "not a certificate\n".write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
            let broken = try await connectAnswer(port: port)
            #expect(broken.hasPrefix("HTTP/1.1 502 "), "\(broken)")
            #expect(broken.contains("cannot decrypt api.jwplayer.com") && broken.contains("not a PEM certificate"), "\(broken)")
            let plain = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: Self.secret)
            #expect(plain.status == 200)
            #expect(await sink.settled().map(\.path) == ["/v2/webhooks/", "/v2/webhooks/"])
        }
    }

    @Test("a blind tunnel passes bytes both ways untouched, those sent with the CONNECT too, and its silence for the client timeout ends it")
    func tunnelRelaysAndTimesOut() async throws {
        // A far side that echoes what it reads, on a thread of its own.
        let echo = try ThreadEcho()
        defer { echo.stop() }
        let echoPort = echo.port
        try await withProxyTap(clientTimeout: .seconds(1)) { port, sink, _, _ in
            let job = try RawConnection(port: port)
            // Sent with the CONNECT, as a client that does not wait for the 200 would: kept.
            let bytes = "hello through the tunnel\u{0}\u{1}\u{2}\u{FF}"
            job.send("CONNECT 127.0.0.1:\(echoPort) HTTP/1.1\r\nHost: 127.0.0.1:\(echoPort)\r\n\r\n" + bytes)
            // Counted in bytes: Foundation's hasSuffix stops at a NUL.
            let expected = "HTTP/1.1 200 Connection established\r\n\r\n" + bytes
            let relayed = await Self.read(job, bytes: expected.utf8.count)
            #expect(Array(relayed.utf8) == Array(expected.utf8), "\(relayed.debugDescription)")
            // Silent both ways: the idle timeout closes it (the bound of the read is 60 s).
            #expect(await job.closedByPeer())
            #expect(await sink.settled().isEmpty)
        }
    }
}

extension TapConnectTests {
    @Test("beyond loopback a tap tunnels only to [tap] tunnel hosts; others are a 403 that names them")
    func tunnelAllowList() async throws {
        let echo = try ThreadEcho()
        defer { echo.stop() }
        try await TapTests.simulator().test(.live) { server in
            // Listening on every address, as --allow-remote allows; reached here on loopback.
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)", adjust: {
                $0.host = "0.0.0.0"
                $0.tunnel = ["uploads.example.com"]
            }) { port, sink in
                let refused = try await rawRequest(port: port, "CONNECT 127.0.0.1:\(echo.port) HTTP/1.1\r\n\r\n")
                #expect(refused.hasPrefix("HTTP/1.1 403 "), "\(refused)")
                #expect(refused.contains("127.0.0.1 is not one"), "\(refused)")
                #expect(await sink.settled().isEmpty)
            }
        }
    }

    @Test("a tunnel whose far side stops reading holds the job back: the tap takes a few MiB of a 64 MiB push, not all of it")
    func stalledTunnel() async throws {
        let sink = try ThreadEcho(.stall)
        defer { sink.stop() }
        try await TapTests.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, _ in
                let job = try RawConnection(port: port)
                job.send("CONNECT 127.0.0.1:\(sink.port) HTTP/1.1\r\n\r\n")
                #expect(await job.read { $0.hasSuffix("\r\n\r\n") } == "HTTP/1.1 200 Connection established\r\n\r\n")
                let pushed = await job.pushUntilStalled(limit: 64 << 20)
                // Kernel buffers on both hops and the tap's 512 KiB per direction: well under 32 MiB.
                #expect(pushed < 32 << 20, "the tap took \(pushed >> 20) MiB for a reader that reads nothing")
                #expect(pushed > 0)
            }
        }
    }

    @Test("a half-close passes through a tunnel: the far side's answer that follows it still reaches the job, then the close")
    func tunnelHalfClose() async throws {
        let far = try ThreadEcho(.answerAtEnd)
        defer { far.stop() }
        try await TapTests.simulator().test(.live) { server in
            try await withTap(upstream: "http://127.0.0.1:\(server.port!)") { port, _ in
                let job = try RawConnection(port: port)
                job.send("CONNECT 127.0.0.1:\(far.port) HTTP/1.1\r\n\r\n")
                #expect(await job.read { $0.hasSuffix("\r\n\r\n") } == "HTTP/1.1 200 Connection established\r\n\r\n")
                job.send("the last words")
                job.closeSending()
                // Read until the tap closes (bounded at 60 s).
                #expect(await job.read() == "HTTP/1.1 200 Connection established\r\n\r\nTHE LAST WORDS")
            }
        }
    }

    @Test("a stopping tap closes its open tunnels and a connection still in its handshake, and stops")
    func stopWithTunnelsOpen() async throws {
        let far = try ThreadEcho()
        defer { far.stop() }
        try await TapTests.simulator().test(.live) { server in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-ca-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: "http://127.0.0.1:\(server.port!)")
            configuration.authority = AuthorityFiles(folder: folder + "/ca")
            // Far beyond the test's bounds: only the stop itself can close these connections.
            configuration.clientTimeout = .seconds(3_600)
            let tap = Tap.application(configuration, logger: Logger(label: "tap-test")) { _ in }
            let started = try await ServerStartup.start(address: "127.0.0.1:0", logger: Logger(label: "tap-test")) { onServerRunning in
                tap.reporting(to: onServerRunning)
            }
            let tunnel = try RawConnection(port: started.port)
            tunnel.send("CONNECT 127.0.0.1:\(far.port) HTTP/1.1\r\n\r\n")
            #expect(await tunnel.read { $0.hasSuffix("\r\n\r\n") } == "HTTP/1.1 200 Connection established\r\n\r\n")
            let handshaking = try RawConnection(port: started.port)
            handshaking.send("CONNECT api.jwplayer.com:443 HTTP/1.1\r\n\r\n")
            #expect(await handshaking.read { $0.hasSuffix("\r\n\r\n") } == "HTTP/1.1 200 Connection established\r\n\r\n")
            // A minute bounds a stop that would hang on them.
            let stopped = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await started.stop()
                    return true
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(60))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            #expect(stopped, "the tap did not stop with a tunnel and a handshake open")
            #expect(await tunnel.closedByPeer())
            #expect(await handshaking.closedByPeer())
        }
    }

    @Test("a TLS listener whose port is taken stops the tap from starting, with the reason")
    func tlsPortTaken() async throws {
        let taken = try ThreadEcho()
        defer { taken.stop() }
        var configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: "http://127.0.0.1:9")
        configuration.tlsHost = "127.0.0.1"
        configuration.tlsPort = taken.port
        let tap = Tap.application(configuration, logger: Logger(label: "tap-test")) { _ in }
        await #expect {
            try await running(tap) { _ in Issue.record("the tap started without its TLS listener") }
        } throws: { error in
            "\(error)".contains("the TLS listener cannot listen on 127.0.0.1:\(taken.port)")
        }
    }
}

/// A loopback TCP server on a thread of its own that writes back what it reads, one
/// connection at a time.
private final class ThreadEcho: @unchecked Sendable {
    let port: Int
    private let listener: Int32

    enum Mode {
        /// Writes back each read at once.
        case echo
        /// Accepts and never reads: a far side that stalls.
        case stall
        /// Reads to the end, then writes it all back uppercased and closes: a tail that comes
        /// after the client's half-close.
        case answerAtEnd
    }

    init(_ mode: Mode = .echo) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 4) == 0
                && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            // Connections held open unread, until the listener stops.
            var unread: [Int32] = []
            defer { unread.forEach { close($0) } }
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                switch mode {
                case .stall:
                    unread.append(connection)
                    continue
                case .answerAtEnd:
                    var all = [UInt8]()
                    var buffer = [UInt8](repeating: 0, count: 4_096)
                    while true {
                        let count = recv(connection, &buffer, buffer.count, 0)
                        if count <= 0 { break }
                        all += buffer[0..<count]
                    }
                    let upper = Array(String(decoding: all, as: UTF8.self).uppercased().utf8)
                    _ = send(connection, upper, upper.count, Int32(MSG_NOSIGNAL))
                    close(connection)
                    continue
                case .echo:
                    break
                }
                var buffer = [UInt8](repeating: 0, count: 4_096)
                while true {
                    let count = recv(connection, &buffer, buffer.count, 0)
                    if count <= 0 { break }
                    _ = send(connection, buffer, count, Int32(MSG_NOSIGNAL))
                }
                close(connection)
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
