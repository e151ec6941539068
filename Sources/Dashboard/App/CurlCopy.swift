import Foundation
import ManagementAPI

/// A call as a curl command for `y` (DESIGN.md section 10): the method, the URL against the
/// real API base, the secret as `"$JWP_SECRET_<LABEL>"`, and the request body when the
/// journal kept it (the monitor holds no bodies; `body` looks it up).
public struct CurlCopy: Sendable {
    public struct Result: Sendable, Equatable {
        public let command: String
        /// For the status line: what was copied.
        public let note: String
    }

    public let apiBase: String
    public let body: @Sendable (CallRecord) -> [UInt8]?

    public init(apiBase: String, body: @escaping @Sendable (CallRecord) -> [UInt8]? = { _ in nil }) {
        self.apiBase = apiBase
        self.body = body
    }

    public func command(for record: CallRecord) -> Result {
        let body = body(record)
        let command = CurlCommand.build(
            method: record.method, url: CurlCommand.url(base: apiBase, path: record.path), token: record.token, body: body)
        let variable = SecretPlaceholder.variable(for: record.token)
        let what = body.map { " with its \($0.count)-byte body" } ?? ""
        return Result(command: command, note: "copied as curl (OSC 52)\(what); it reads the secret from $\(variable)")
    }
}
