import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

extension TransportFailure {
    /// Sorts an error thrown by AsyncHTTPClient or SwiftNIO into a failure class.
    public static func classify(_ error: any Error) -> TransportFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return .timeout
            case .remoteConnectionClosed, .cancelled:
                return .reset
            case .uncleanShutdown:
                return .tls
            default:
                return .other
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil { return .dns }
            if let first = error.connectionErrors.first?.error { return classify(first) }
            return .refused
        }
        if error is SocketAddressError { return .dns }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return .refused
            case ECONNRESET, EPIPE, ECONNABORTED: return .reset
            case ETIMEDOUT: return .timeout
            case EHOSTUNREACH, ENETUNREACH: return .refused
            default: return .other
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timeout
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed: return .reset
            default: return .other
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return .tls }
        if error is NIOTooManyBytesError { return .bodyTooLarge }
        // Name lookups that fail inside NIO's resolver surface under these type names.
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("DNS") || typeName.contains("Resolution") { return .dns }
        return .other
    }
}
