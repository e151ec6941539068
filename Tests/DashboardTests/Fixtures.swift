import Foundation
import ManagementAPI
import Monitor
import Screen
@testable import Dashboard

/// A small, fixed world for the dashboard's tests: two tokens, a few errors.
enum World {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let ingest = Token(label: "ingest", secret: Secret("world-ingest-secret"))
    static let cms = Token(label: "cms-sync", secret: Secret("world-cms-secret"))

    static func record(_ token: Token, at offset: TimeInterval, status: Int, remaining: Int?, errors: [ErrorEntry] = [],
                       method: String = "GET", path: String = "/v2/sites/Abcd1234/media/") -> CallRecord
    {
        CallRecord(time: start.addingTimeInterval(offset), token: token.reference, method: method, path: path, outcome: .status(status),
                   latency: .milliseconds(23), rate: RateHeaders(limit: 60, remaining: remaining, requestID: "8f3a9c\(Int(offset))"),
                   errors: errors, source: .tap)
    }

    static let tooLong = ErrorEntry(
        code: "too_long", description: "Field 'metadata.title' must be shorter than '255' characters. Value of 'Episode 4' was provided.",
        detail: FieldDetail(field: "metadata.title", constraint: "255", provided: "Episode 4"))
    static let required = ErrorEntry(code: "required", description: "Field 'upload.method' is required.",
                                     detail: FieldDetail(field: "upload.method", constraint: nil, provided: nil))

    static var records: [CallRecord] {
        [
            record(cms, at: 1, status: 200, remaining: 48),
            record(ingest, at: 2, status: 400, remaining: 20, errors: [tooLong, required], method: "POST"),
            record(ingest, at: 3, status: 429, remaining: 0,
                   errors: [ErrorEntry(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")]),
            record(ingest, at: 4, status: 502, remaining: 8,
                   errors: [ErrorEntry(code: "bad_gateway", description: "not JSON: HTML page: 502 Bad Gateway", synthesized: true)]),
            record(ingest, at: 5, status: 400, remaining: 6, errors: [tooLong], method: "POST"),
        ]
    }

    static func snapshot(at offset: TimeInterval = 30, filter: Filter = .empty) -> Snapshot {
        var core = MonitorCore()
        core.register(ingest.reference)
        core.register(cms.reference)
        records.forEach { core.ingest($0) }
        return core.snapshot(now: start.addingTimeInterval(offset), filter: filter)
    }

    /// The same world in a live monitor, for the run loop.
    static func monitor(clock: ManualClock) -> Monitor {
        let monitor = Monitor(clock: clock)
        monitor.register(ingest.reference)
        monitor.register(cms.reference)
        monitor.ingest(contentsOf: records)
        return monitor
    }

    static func state(width: Int = 100, height: Int = 30, glyphs: Glyphs = .unicode) -> State {
        var state = State(session: SessionInfo(apiBase: "https://api.jwplayer.com", probesPerMinute: 2, tapAddress: "127.0.0.1:8787"),
                          size: TerminalSize(width: width, height: height), now: start, themes: ["default", "light", "mono"],
                          glyphs: glyphs)
        state = update(state, .snapshot(snapshot())).state
        return state
    }
}
