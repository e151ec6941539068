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
    /// Looks up a call's journaled request body; nil when there is no journal to look in.
    public let body: (@Sendable (CallRecord) -> [UInt8]?)?
    /// Inside tmux the copy only reaches a clipboard when tmux lets it: the note says how.
    public let inTmux: Bool

    public init(apiBase: String, inTmux: Bool = false, body: (@Sendable (CallRecord) -> [UInt8]?)? = nil) {
        self.apiBase = apiBase
        self.inTmux = inTmux
        self.body = body
    }

    public func command(for record: CallRecord) -> Result {
        let body = self.body?(record)
        let command = CurlCommand.build(
            method: record.method, url: CurlCommand.url(base: apiBase, path: record.path), token: record.token, body: body)
        let variable = SecretPlaceholder.variable(for: record.token)
        var note = "copied as curl (OSC 52)"
        if let body {
            note += " with its \(body.count)-byte body"
        } else if self.body == nil, record.method != "GET" {
            // Without a recorder's journal the body is not known: the copy may not reproduce.
            note += " without its body (no journal here)"
        }
        note += "; the secret comes from $\(variable)"
        if inTmux { note += "; in tmux: set -g set-clipboard on" }
        return Result(command: command, note: note)
    }
}
