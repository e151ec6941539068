import Foundation
import Logging
import ManagementAPI
import Synchronization

/// Says which host's handshakes fail (a job that does not trust mapitop's authority, a client
/// that hung up half way), at most one line per host per minute: a job retrying in a loop
/// must not fill the log, and the person on call still learns which host and why.
final class RefusedHandshakes: Sendable {
    static let interval: TimeInterval = 60
    static let maxHosts = 256
    private let logger: Logger
    private let clock: any WallClock
    /// Where the line goes besides the log: the recorder's stderr (systemd's journal), the
    /// tap's.
    private let notice: @Sendable (String) -> Void
    private let lastSaid = Mutex<[String: Date]>([:])

    init(logger: Logger, clock: any WallClock, notice: @escaping @Sendable (String) -> Void) {
        self.logger = logger
        self.clock = clock
        self.notice = notice
    }

    /// `clientRefused`: the job's side ended the handshake (it may not trust the authority),
    /// as opposed to the tap having no certificate to offer.
    func note(host: String, reason: String, clientRefused: Bool) {
        let now = clock.now()
        let say = lastSaid.withLock { lastSaid -> Bool in
            if let last = lastSaid[host], now.timeIntervalSince(last) < Self.interval { return false }
            if lastSaid.count >= Self.maxHosts { lastSaid = lastSaid.filter { now.timeIntervalSince($0.value) < Self.interval } }
            lastSaid[host] = now
            return true
        }
        guard say else { return }
        let line = clientRefused
            ? "a TLS handshake for \(host) failed: \(reason) (a job that does not trust mapitop's authority needs eval \"$(mapitop env)\")"
            : "no TLS for \(host): \(reason)"
        logger.warning("\(line)")
        notice(line)
    }
}
