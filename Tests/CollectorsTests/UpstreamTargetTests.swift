import Testing
@testable import Collectors

@Suite("Where the tap forwards: the upstream URL, parsed once")
struct UpstreamTargetTests {
    @Test("host, port, base path and Host header of http, https and IPv6 upstreams")
    func parsed() {
        let local = UpstreamTarget("http://127.0.0.1:1234/base/")
        #expect(local.host == "127.0.0.1" && local.port == 1234 && local.basePath == "/base" && local.hostHeader == "127.0.0.1:1234")
        #expect(local.tls == nil && local.unusable == nil)

        let api = UpstreamTarget("https://api.jwplayer.com")
        #expect(api.host == "api.jwplayer.com" && api.port == 443 && api.basePath == "" && api.hostHeader == "api.jwplayer.com")
        #expect(api.tls != nil && api.tlsHostname == "api.jwplayer.com" && api.unusable == nil)

        let address = UpstreamTarget("https://10.0.0.7:8443")
        #expect(address.tlsHostname == nil, "an address has no name to check a certificate against")
        #expect(address.hostHeader == "10.0.0.7:8443")

        let ipv6 = UpstreamTarget("http://[::1]:8080/")
        #expect(ipv6.host == "::1" && ipv6.port == 8080 && ipv6.hostHeader == "[::1]:8080", "\(ipv6.host) \(ipv6.hostHeader)")
    }

    @Test("a URL that is not http or https with a host is refused with a reason, not a crash")
    func unusable() {
        for text in ["ftp://example.com", "not a url", "http://", ""] {
            let target = UpstreamTarget(text)
            #expect(target.unusable != nil, "\(text)")
        }
    }
}
