import AsyncHTTPClient
import Foundation
import ManagementAPI
import NIOCore
import Wire

/// A recorder that runs on this machine: its runtime file (pid alive), and whether its
/// admin server answers `/healthz`. `mapitop info` shows it; a viewer attaches to it.
public struct LiveRecorder: Sendable, Equatable {
    public enum Health: Sendable, Equatable, CustomStringConvertible {
        /// 200: the journal writes.
        case ok
        /// 503: the journal drops records; why, as the recorder said it.
        case dropping(String)
        /// Any other status.
        case unexpected(status: Int)
        /// No HTTP answer within the timeout (refused, timed out): the pid lives, the server does not answer.
        case noAnswer(String)

        /// It answered at all: a recorder is there, whatever its journal's state.
        public var answers: Bool {
            if case .noAnswer = self { return false }
            return true
        }

        public var description: String {
            switch self {
            case .ok: "answers, journal ok"
            case .dropping(let why): "answers, journal dropping records: \(why)"
            case .unexpected(let status): "answers HTTP \(status)"
            case .noAnswer(let why): "does not answer (\(why))"
            }
        }
    }

    public let runtime: RuntimeFile
    public let health: Health

    /// The recorder on `journal` (nil: the default journal) that its runtime file names, if its
    /// pid lives, with its `/healthz` asked once.
    public static func find(
        journal: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(1),
        httpClient: HTTPClient = SharedHTTPClient.shared
    ) async -> LiveRecorder? {
        guard let runtime = RuntimeFile.read(journal: journal, environment: environment) else { return nil }
        return LiveRecorder(runtime: runtime, health: await health(admin: runtime.admin, timeout: timeout, httpClient: httpClient))
    }

    /// The recorder `runtime` names, with its `/healthz` asked once.
    public static func asking(
        _ runtime: RuntimeFile, timeout: Duration = .seconds(1), httpClient: HTTPClient = SharedHTTPClient.shared
    ) async -> LiveRecorder {
        LiveRecorder(runtime: runtime, health: await health(admin: runtime.admin, timeout: timeout, httpClient: httpClient))
    }

    /// Which recorder a window attaches to (DESIGN.md section 9).
    public enum Choice: Sendable, Equatable {
        /// The live recorder to attach to.
        case attach(RuntimeFile)
        /// None runs on the journal asked for (nil: the default one): the window records on it.
        case record(journal: String?)
        /// No journal was asked for, none runs on the default one, and several run on others:
        /// the window names them rather than guess.
        case several([RuntimeFile])
    }

    /// The recorder of `journal` when one is asked for; else the default journal's; else the
    /// only live recorder of this user whatever its journal. A window never starts a second
    /// prober beside a live recorder it could attach to.
    public static func choose(journal: String?, live: [RuntimeFile], defaultJournal: String) -> Choice {
        if let journal {
            let asked = AbsolutePath.of(journal)
            return live.first { AbsolutePath.of($0.journal) == asked }.map(Choice.attach) ?? .record(journal: asked)
        }
        let standard = AbsolutePath.of(defaultJournal)
        if let onDefault = live.first(where: { AbsolutePath.of($0.journal) == standard }) { return .attach(onDefault) }
        switch live.count {
        case 0: return .record(journal: nil)
        case 1: return .attach(live[0])
        default: return .several(live)
        }
    }

    static func health(admin: String, timeout: Duration, httpClient: HTTPClient) async -> Health {
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: "http://\(admin)/healthz"), timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: 64 << 10)
            switch response.status.code {
            case 200: return .ok
            case 503:
                guard case .body(let health) = HealthBody.read(body.readableBytesView) else { return .dropping("unknown") }
                return .dropping(String(health.journalStatus.prefix(300)))
            default: return .unexpected(status: Int(response.status.code))
            }
        } catch {
            return .noAnswer(TransportFailure.classify(error).summary)
        }
    }
}
