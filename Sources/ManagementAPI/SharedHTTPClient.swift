import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The one AsyncHTTPClient of the process. Redirects are refused: a redirect could carry
/// the bearer secret to another host, and the API never redirects.
public enum SharedHTTPClient {
    public static let connectTimeout: TimeAmount = .seconds(5)

    public static let shared: HTTPClient = makeClient()

    /// A client configured as mapitop's; tests make their own and shut it down.
    public static func makeClient(connectTimeout: TimeAmount = connectTimeout) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: .seconds(60)),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }
}
