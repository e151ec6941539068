import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

@Suite("2 Jobs and 3 Routes: the views, their keys, Enter to filter")
struct JobsRoutesViewTests {
    func send(_ state: State, _ keys: [Key]) -> State { keys.reduce(state) { update($0, .key($1)).state } }

    static func call(_ job: String, _ token: Token, at offset: TimeInterval, status: Int = 200, path: String = "/v2/sites/Abcd1234/media/",
                     latency: Int = 20) -> CallRecord
    {
        CallRecord(time: World.start.addingTimeInterval(offset), token: token.reference, method: status == 400 ? "POST" : "GET",
                   path: path, outcome: .status(status), latency: .milliseconds(latency),
                   rate: RateHeaders(limit: 60, remaining: 20, requestID: "req-\(Int(offset * 10))"),
                   errors: status == 400 ? [World.tooLong] : [], source: .tap, job: job)
    }

    /// Two jobs on one token (one of them sending 400s), one on the other.
    func world(width: Int = 120, height: Int = 30) -> State {
        var core = MonitorCore()
        core.register(World.ingest.reference)
        core.register(World.cms.reference)
        for index in 0..<30 { core.ingest(Self.call("nightly-ingest.py", World.ingest, at: Double(index))) }
        for index in 0..<3 { core.ingest(Self.call("cms-import.py", World.ingest, at: 30 + Double(index), status: 400)) }
        for index in 0..<6 { core.ingest(Self.call("sync.jar", World.cms, at: Double(index) * 5, path: "/v2/webhooks/Wh\(index)abc12/")) }
        return update(World.state(width: width, height: height), .snapshot(core.snapshot(now: World.start.addingTimeInterval(40)))).state
    }

    func lines(_ state: State) -> [String] { DashboardView.render(state).trimmedLines }

    @Test("2 shows each job with its token, calls a minute, share of the limit, errors and p95, busiest first")
    func jobsView() throws {
        let state = send(world(), [.character("2")])
        #expect(state.lowerView == .jobs && state.focus == .errors)
        let screen = lines(state)
        let title = try #require(screen.firstIndex { $0.hasPrefix(" JOBS") })
        #expect(screen[title].hasSuffix("1 errors [2 jobs] 3 routes"))
        #expect(screen[title + 1].split(separator: " ") == ["JOB", "TOKEN", "CALLS/m", "SHARE", "4xx", "5xx", "429s", "P95", "LAST"])
        let rows = screen[(title + 2)...(title + 4)].map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map { $0[0] } == ["nightly-ingest.py", "sync.jar", "cms-import.py"])
        #expect(rows[0].prefix(4) == ["nightly-ingest.py", "ingest", "30", "50%"])
        #expect(rows[2].prefix(5) == ["cms-import.py", "ingest", "3", "5%", "3"])
        #expect(rows[1].prefix(4) == ["sync.jar", "cms-sync", "6", "10%"])
        #expect(rows[0][7] == "20ms" || rows[0][7].hasSuffix("ms"))
    }

    @Test("3 shows each method and route with calls, errors and percentiles")
    func routesView() throws {
        let screen = lines(send(world(), [.character("3")]))
        let title = try #require(screen.firstIndex { $0.hasPrefix(" ROUTES") })
        #expect(screen[title + 1].split(separator: " ") == ["METHOD", "ROUTE", "CALLS/m", "CALLS", "4xx", "5xx", "P50", "P95", "P99"])
        let rows = screen[(title + 2)...(title + 4)].map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map { $0[0] + " " + $0[1] } == [
            "GET /v2/sites/{site_id}/media/", "GET /v2/webhooks/{webhook_id}/", "POST /v2/sites/{site_id}/media/",
        ])
        #expect(rows[2][2...4] == ["3", "3", "3"])
    }

    @Test("Enter on a job filters the errors to it and shows them; s sorts the view; t filters by its token")
    func enterFilters() throws {
        var state = send(world(), [.character("2"), .down, .down])
        #expect(state.selectedJob?.job == "cms-import.py")
        state = send(state, [.enter])
        #expect(state.filter.description == "job:cms-import.py" && state.lowerView == .errors)
        let errors = lines(state)
        #expect(errors.contains { $0.contains("filter: job:cms-import.py") })
        #expect(errors.contains { $0.contains("too_long") })
        // The routes are every job's: the title says which filter holds for the errors.
        state = send(state, [.character("3")])
        #expect(state.sortedRoutes.count == 3)
        #expect(lines(state).contains { $0.contains("filter: job:cms-import.py") })
        state = send(state, [.escape, .character("3"), .down, .enter])
        #expect(state.filter.description == "route:/v2/webhooks/{webhook_id}/")
        state = send(state, [.escape, .character("2"), .character("s")])
        #expect(state.jobSort == .errors && state.sortedJobs.first?.job == "cms-import.py")
        #expect(lines(state).last?.contains("s sort(errors)") == true)
        state = send(state, [.character("t")])
        #expect(state.filter.description == "token:ingest")
    }

    @Test("a narrow terminal keeps the job, the calls and the route; nothing breaks at the minimum size")
    func narrow() throws {
        let jobs = lines(send(world(width: State.minimumWidth, height: State.minimumHeight + 5), [.character("2")]))
        let title = try #require(jobs.firstIndex { $0.hasPrefix(" JOBS") })
        #expect(jobs[title + 2].hasPrefix("nightly-ing…"))
        #expect(jobs[title + 1].contains("CALLS/m"))
        let routes = lines(send(world(width: State.minimumWidth, height: State.minimumHeight), [.character("3")]))
        #expect(routes.contains { $0.hasPrefix("GET    /v2/sites/") })
        #expect(routes.allSatisfy { DisplayWidth.of($0) <= State.minimumWidth })
    }

    @Test("the help names the views and the job: and route: terms")
    func help() {
        let screen = lines(send(world(height: 40), [.character("?")])).joined(separator: "\n")
        #expect(screen.contains("errors, jobs, routes below"))
        #expect(screen.contains("job: route:"))
    }
}
