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
    /// What the journal kept of a call that the monitor does not: its body and query string.
    public struct Journaled: Sendable, Equatable {
        public let body: [UInt8]?
        public let query: String?

        public init(body: [UInt8]?, query: String?) {
            self.body = body
            self.query = query
        }
    }

    /// Looks a call up in the journal; nil when there is no journal to look in.
    public let journaled: (@Sendable (CallRecord) -> Journaled?)?
    /// Inside tmux the copy only reaches a clipboard when tmux lets it: the note says how.
    public let inTmux: Bool

    public init(apiBase: String, inTmux: Bool = false, journaled: (@Sendable (CallRecord) -> Journaled?)? = nil) {
        self.apiBase = apiBase
        self.inTmux = inTmux
        self.journaled = journaled
    }

    public func command(for record: CallRecord) -> Result {
        let parts = journaled?(record)
        let body = parts?.body
        let target = parts?.query.map { record.path + "?" + $0 } ?? record.path
        let command = CurlCommand.build(
            method: record.method, url: CurlCommand.url(base: apiBase, path: target), token: record.token, body: body)
        let variable = SecretPlaceholder.variable(for: record.token)
        var note = "copied as curl (OSC 52)"
        if let body {
            note += " with its \(body.count)-byte body"
        } else if journaled == nil, record.method != "GET" {
            // Without a recorder's journal the body is not known: the copy may not reproduce.
            note += " without its body (no journal here)"
        }
        note += "; the secret comes from $\(variable)"
        if inTmux { note += "; in tmux: set -g set-clipboard on" }
        return Result(command: command, note: note)
    }
}
