import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The one AsyncHTTPClient of the process. Redirects are refused: a redirect could carry
/// the bearer secret to another host, and the API never redirects.
public enum SharedHTTPClient {
    public static let connectTimeout: TimeAmount = .seconds(5)
    /// Kept-alive connections per upstream host.
    public static let upstreamConnections = 64

    public static let shared: HTTPClient = makeClient()

    /// A client configured as mapitop's; tests make their own and shut it down.
    public static func makeClient(connectTimeout: TimeAmount = connectTimeout) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: .seconds(60)),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        // The tap forwards every job's calls through this client: with AsyncHTTPClient's
        // default of 8 connections per host, a ninth concurrent call waits for a free one.
        // Kept-alive connections are the proxy's whole advantage (see Benchmarks/tap-vs-nginx.sh).
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: upstreamConnections)
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }
}
