import NIOHTTP1
import Testing
@testable import Collectors

/// The CONNECT state machine and its inputs, without sockets: every event in every state
/// that matters, as AsyncHTTPClient tests its connection state machine.
@Suite("CONNECT, as a pure state machine")
struct ConnectStateMachineTests {
    static func head(_ target: String, _ headers: HTTPHeaders = [:]) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: target, headers: headers)
    }

    @Test("an API host is decided at the head and intercepted at its end; nothing is opened")
    func intercept() {
        var machine = ConnectStateMachine()
        #expect(machine.receivedHead(Self.head("api.jwplayer.com:443"), rules: ProxyRules(), intercepted: false) == .wait)
        #expect(machine.receivedEnd() == .establishInterception(host: "api.jwplayer.com"))
        #expect(machine.state == .established)
        // Events that come late change nothing.
        #expect(machine.connected() == .wait)
        #expect(machine.receivedEnd() == .wait)
    }

    @Test("another host is a tunnel: connect at the end, establish once connected, a 502 when the connect fails")
    func tunnel() {
        var machine = ConnectStateMachine()
        #expect(machine.receivedHead(Self.head("Storage.Example.com.:8443"), rules: ProxyRules(), intercepted: false) == .wait)
        #expect(machine.receivedEnd() == .connect(host: "storage.example.com", port: 8443))
        #expect(machine.connected() == .establishTunnel(host: "storage.example.com"))

        var failing = ConnectStateMachine()
        _ = failing.receivedHead(Self.head("[::1]:9"), rules: ProxyRules(), intercepted: false)
        #expect(failing.receivedEnd() == .connect(host: "::1", port: 9))
        guard case .refuse(.badGateway, "bad_gateway", let description) = failing.connectFailed("connection refused") else {
            Issue.record("a failed connect is not a 502")
            return
        }
        #expect(description == "cannot reach ::1:9 (connection refused); nothing was sent")
        #expect(failing.state == .refused)
        #expect(failing.connected() == .wait)
    }

    @Test("the intercepted hosts: api.jwplayer.com, api_base's host when it is a name, [tap] intercept; beyond loopback only [tap] tunnel is tunnelled")
    func rules() {
        let rules = ProxyRules(intercept: ["Media.Example.net"], upstream: "https://gateway.example.org/base", tunnel: ["uploads.example.com"])
        #expect(rules.interceptHosts == ["api.jwplayer.com", "media.example.net", "gateway.example.org"])
        #expect(rules.decide(ConnectTarget(host: "gateway.example.org", port: 443)) == .intercept(host: "gateway.example.org"))
        #expect(rules.decide(ConnectTarget(host: "uploads.example.com", port: 443)) == .tunnel(host: "uploads.example.com", port: 443))
        guard case .refuse(.forbidden, _, let description) = rules.decide(ConnectTarget(host: "elsewhere.example", port: 443)) else {
            Issue.record("an unlisted tunnel beyond loopback is not refused")
            return
        }
        #expect(description.contains("elsewhere.example is not one"))
        // An http upstream by address adds no host to decrypt.
        #expect(ProxyRules(upstream: "http://127.0.0.1:8080").interceptHosts == ["api.jwplayer.com"])
        // The tap's own address decides whether [tap] tunnel applies: on loopback it does not,
        // beyond it only the list is tunnelled to (an empty list: nowhere), so a tap serving
        // the network is no open relay.
        for (host, expected) in [("127.0.0.1", nil), ("::1", nil), ("localhost", nil), ("127.1.2.3", nil),
                                 ("0.0.0.0", Set<String>()), ("192.168.1.5", Set<String>()), ("::", Set<String>())] as [(String, Set<String>?)] {
            var configuration = TapConfiguration(host: host, port: 0)
            #expect(configuration.rules.tunnelHosts == expected, "\(host)")
            configuration.tunnel = ["Uploads.Example.com"]
            #expect(configuration.rules.tunnelHosts == expected.map { _ in ["uploads.example.com"] }, "\(host)")
        }
    }

    @Test("targets: names, addresses, IPv6 in brackets; a missing or zero port, junk, a body or an overlong target is a 400",
          arguments: [
              ("api.jwplayer.com:443", "ok"), ("127.0.0.1:8443", "ok"), ("[2001:db8::1]:443", "ok"),
              ("api.jwplayer.com", "not HOST:PORT"), ("api.jwplayer.com:", "not HOST:PORT"), ("api.jwplayer.com:70000", "not HOST:PORT"),
              ("api.jwplayer.com:0", "port is 0"), ("a b:443", "not HOST:PORT"), ("[::1:443", "not HOST:PORT"), ("[nothost]:443", "not HOST:PORT"),
              ("..:443", "not HOST:PORT"), ("/v2/media:443", "not HOST:PORT"), ("host\u{0}:443", "not HOST:PORT"),
              (String(repeating: "a", count: 64) + ".example:443", "not HOST:PORT"),
              (String(repeating: "a.", count: 140) + "example:443", "longer than"),
          ])
    func targets(target: String, expected: String) {
        var machine = ConnectStateMachine()
        let action = machine.receivedHead(Self.head(target), rules: ProxyRules(), intercepted: false)
        if expected == "ok" {
            #expect(action == .wait, "\(target)")
        } else if case .refuse(.badRequest, "invalid_request", let description) = action {
            #expect(description.contains(expected), "\(target): \(description)")
        } else {
            Issue.record("\(target) was not refused: \(action)")
        }
    }

    @Test("a CONNECT that says it has a body is refused; Content-Length: 0 is no body")
    func bodies() {
        var withLength = ConnectStateMachine()
        #expect(withLength.receivedHead(Self.head("example.com:443", ["content-length": "0"]), rules: ProxyRules(), intercepted: false) == .wait)
        for headers: HTTPHeaders in [["content-length": "5"], ["transfer-encoding": "chunked"]] {
            var machine = ConnectStateMachine()
            guard case .refuse(.badRequest, _, let description) = machine.receivedHead(Self.head("example.com:443", headers), rules: ProxyRules(),
                                                                                     intercepted: false) else {
                Issue.record("\(headers) not refused")
                continue
            }
            #expect(description == "a CONNECT request has no body")
        }
    }

    @Test("an absolute-form target's host, without port, brackets, user or trailing dot")
    func absoluteHosts() {
        #expect(TapTarget.absoluteHost("/v2/media/") == nil)
        #expect(TapTarget.absoluteHost("http://API.jwplayer.com./v2/") == "api.jwplayer.com")
        #expect(TapTarget.absoluteHost("https://user:pw@evil.example:8080/x?y") == "evil.example")
        #expect(TapTarget.absoluteHost("http://[::1]:80/") == "::1")
        #expect(TapTarget.absoluteHost("http://host") == "host")
    }
}
