import Benchmark
import Dashboard
import Foundation
import ManagementAPI
import Monitor
import Screen

/// A full dashboard at 200x60: 100 tokens, 50 000 retained errors, the tree open on a 400.
func makeState() -> State {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let tokens = (0..<100).map { Token(label: "token-\($0)", secret: Secret("secret-\($0)")) }
    var core = MonitorCore()
    tokens.forEach { core.register($0.reference) }
    let tooLong = ErrorEntry(code: "too_long", description: "Field 'metadata.title' must be shorter than '255' characters. Value of 'x' was provided.",
                             detail: FieldDetail(field: "metadata.title", constraint: "255", provided: "x"))
    for index in 0..<60_000 {
        let status = [200, 400, 429, 502, 400][index % 5]
        let errors = status == 400 ? [tooLong] : status == 200 ? [] : [ErrorEntry(code: StandardCodes.code(forStatus: status), description: "s")]
        core.ingest(CallRecord(time: start.addingTimeInterval(Double(index) * 0.01), token: tokens[index % 100].reference, method: "POST",
                               path: "/v2/sites/Abcd1234/media/", outcome: .status(status), latency: .milliseconds(20),
                               rate: RateHeaders(limit: 60, remaining: index % 60, requestID: "r\(index)"), errors: errors, source: .tap))
    }
    var state = State(session: SessionInfo(apiBase: "https://api.jwplayer.com", probesPerMinute: 2, tapAddress: "127.0.0.1:8787"),
                      size: TerminalSize(width: 200, height: 60), now: start)
    state = update(state, .snapshot(core.snapshot(now: start.addingTimeInterval(601)))).state
    for key in [Key.tab, .down, .enter, .down, .enter] { state = update(state, .key(key)).state }
    return state
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3))
    let state = makeState()

    Benchmark("frame: full dashboard 200x60") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DashboardView.render(state))
        }
    }

    // Baseline: allocating and filling an empty 200x60 frame.
    Benchmark("baseline: fill a 200x60 frame") { benchmark in
        for _ in benchmark.scaledIterations {
            var frame = Frame(width: 200, height: 60)
            frame.fill(frame.bounds, with: "x")
            blackHole(frame)
        }
    }
}
