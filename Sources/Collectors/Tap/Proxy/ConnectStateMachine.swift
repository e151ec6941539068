import NIOHTTP1

/// What a CONNECT becomes.
enum ConnectDecision: Equatable, Sendable {
    /// An API host: answered 200, then TLS with a leaf of mapitop's authority, and the calls
    /// inside handled as origin-form ones.
    case intercept(host: String)
    /// Any other host: bytes both ways, never decrypted.
    case tunnel(host: String, port: Int)
    /// Answered in the API's error shape, then the connection closes.
    case refuse(HTTPResponseStatus, code: String, String)
}

/// A job connection's CONNECT, as one pure value: events in, actions out, no sockets
/// (AsyncHTTPClient's `HTTP1ConnectionStateMachine` and NIOExtras' `NIOHTTP1ProxyConnectHandler`
/// are the models). `TapProxyHandler+Connect.swift` carries its actions out.
struct ConnectStateMachine: Equatable {
    enum State: Equatable {
        /// No CONNECT seen: the connection is an HTTP one.
        case idle
        /// The head is read and judged; its end is awaited (the decoder sends it at once).
        case decided(ConnectDecision)
        /// Opening the tunnel's other side.
        case connecting(host: String, port: Int)
        /// The 200 is sent: the connection belongs to the tunnel or to TLS now.
        case established
        /// Refused: the answer is on its way and the connection closes after it.
        case refused
    }

    enum Action: Equatable {
        /// Nothing to do until the next event.
        case wait
        /// Answer in the API's error shape and close.
        case refuse(HTTPResponseStatus, code: String, String)
        /// Open a connection to the tunnel's host.
        case connect(host: String, port: Int)
        /// Answer 200 and relay bytes both ways from now on.
        case establishTunnel(host: String)
        /// Answer 200 and terminate TLS for `host` from now on.
        case establishInterception(host: String)
    }

    private(set) var state = State.idle

    /// A CONNECT's head. `intercepted`: the connection is itself inside a decrypted tunnel,
    /// where a CONNECT means nothing.
    mutating func receivedHead(_ head: HTTPRequestHead, rules: ProxyRules, intercepted: Bool) -> Action {
        guard case .idle = state else { return refuse(.badRequest, "a second CONNECT on one connection") }
        if intercepted { return refuse(.badRequest, "CONNECT inside a decrypted connection is not supported") }
        // llhttp treats what follows a CONNECT's head as the tunnel's bytes whatever its
        // headers say, so a body would be taken for TLS: refused instead.
        let length = head.headers["content-length"]
        if head.headers.contains(name: "transfer-encoding") || length.contains(where: { $0.trimmingSpaces != "0" }) {
            return refuse(.badRequest, "a CONNECT request has no body")
        }
        switch ConnectTarget.parse(head.uri) {
        case .failure(.tooLong):
            return refuse(.badRequest, "the CONNECT target is longer than \(ConnectTarget.maxLength) characters")
        case .failure(.portZero):
            return refuse(.badRequest, "the CONNECT target's port is 0")
        case .failure(.malformed):
            return refuse(.badRequest, "the CONNECT target is not HOST:PORT")
        case .success(let target):
            let decision = rules.decide(target)
            if case .refuse(let status, let code, let description) = decision {
                state = .refused
                return .refuse(status, code: code, description)
            }
            state = .decided(decision)
            return .wait
        }
    }

    /// The CONNECT request's end.
    mutating func receivedEnd() -> Action {
        guard case .decided(let decision) = state else { return .wait }
        switch decision {
        case .intercept(let host):
            state = .established
            return .establishInterception(host: host)
        case .tunnel(let host, let port):
            state = .connecting(host: host, port: port)
            return .connect(host: host, port: port)
        case .refuse(let status, let code, let description):
            state = .refused
            return .refuse(status, code: code, description)
        }
    }

    mutating func connected() -> Action {
        guard case .connecting(let host, _) = state else { return .wait }
        state = .established
        return .establishTunnel(host: host)
    }

    /// The tunnel's host could not be reached: 502, as a gateway says it.
    mutating func connectFailed(_ reason: String) -> Action {
        guard case .connecting(let host, let port) = state else { return .wait }
        state = .refused
        return .refuse(.badGateway, code: "bad_gateway", "cannot reach \(host):\(port) (\(reason)); nothing was sent")
    }

    /// No certificate can be made for an API host: 502 with why, rather than a handshake
    /// that fails with no reason the job can see.
    mutating func interceptionFailed(_ reason: String) -> Action {
        state = .refused
        return .refuse(.badGateway, code: "bad_gateway", reason)
    }

    private mutating func refuse(_ status: HTTPResponseStatus, _ description: String) -> Action {
        state = .refused
        return .refuse(status, code: "invalid_request", description)
    }
}
