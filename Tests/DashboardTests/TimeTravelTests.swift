import Foundation
import ManagementAPI
import Monitor
import Screen
import Testing
@testable import Dashboard

/// Time travel and the quit guard as `update` and the view see them: the keys name moments,
/// a replay answering an older request is ignored, live snapshots never replace the past on
/// screen, and the banner says where the screen stands.
@Suite("update and view: time travel, the quit guard, source lines")
struct TimeTravelTests {
    func send(_ state: State, _ keys: Key...) -> State {
        keys.reduce(state) { update($0, .key($1)).state }
    }

    static func replay(at moment: Date, offset: TimeInterval = 10, note: String? = nil) -> Replay {
        Replay(snapshot: World.snapshot(at: offset), moment: moment, note: note, complete: true)
    }

    @Test("[ ] { } step from now and from the moment on screen; stepping to now or past it is live")
    func steps() {
        let now = World.state().now
        var state = send(World.state(), .character("["))
        #expect(state.replay?.moment == now.addingTimeInterval(-60))
        state = send(state, .character("{"))
        #expect(state.replay?.moment == now.addingTimeInterval(-660))
        // A replay that landed elsewhere (the journal's first record) is where steps count from.
        state = update(state, .replayed(Self.replay(at: now.addingTimeInterval(-600)), asked: now.addingTimeInterval(-660))).state
        state = send(state, .character("]"))
        #expect(state.replay?.moment == now.addingTimeInterval(-540))
        state = send(state, .character("}"))
        #expect(state.replay == nil)
        #expect(state.shown == state.latest)
    }

    @Test("the past stays on screen while live snapshots arrive; a stale replay is ignored; End is live again")
    func replayOnScreen() throws {
        let live = World.state()
        var state = send(live, .character("["))
        let asked = try #require(state.replay?.moment)
        let past = Self.replay(at: asked, offset: 5)
        state = update(state, .replayed(Self.replay(at: asked.addingTimeInterval(-60), offset: 1), asked: asked.addingTimeInterval(-60))).state
        #expect(state.replay?.landed == nil, "a replay for another moment was taken")
        state = update(state, .replayed(past, asked: asked)).state
        #expect(state.shown == past.snapshot)
        state = update(state, .snapshot(World.snapshot(at: 40))).state
        #expect(state.shown == past.snapshot, "a live snapshot replaced the past")
        #expect(state.latest == World.snapshot(at: 40))
        let frame = DashboardView.render(state).lines.joined(separator: "\n")
        #expect(frame.contains("REPLAY") && frame.contains("End: live"), "\(frame)")
        state = send(state, .end)
        #expect(state.replay == nil)
        #expect(state.shown == World.snapshot(at: 40))
        #expect(!DashboardView.render(state).lines.joined(separator: "\n").contains("REPLAY"))
    }

    @Test("b reads -2h, 03:10 and a full date; a bad one keeps the prompt open with the reason")
    func timePrompt() {
        var state = send(World.state(), .character("b"))
        #expect(state.promptPurpose == .time)
        state.timeZone = TimeZone(identifier: "UTC")!
        for character in "-2h" { state = send(state, .character(character)) }
        state = send(state, .enter)
        #expect(state.prompt == nil)
        #expect(state.replay?.moment == state.now.addingTimeInterval(-7_200))
        state = send(state, .character("b"))
        for character in "yesterday-ish" { state = send(state, .character(character)) }
        state = send(state, .enter)
        #expect(state.prompt?.error != nil)
        #expect(state.replay?.moment == state.now.addingTimeInterval(-7_200), "a bad time moved the screen")
        // The filter prompt keeps its own meaning.
        state = send(state, .escape, .character("/"))
        #expect(state.promptPurpose == .filter)
    }

    @Test("q asks while the embedded tap served a call in the last 10 minutes; y quits, anything else stays; otherwise q quits")
    func quitGuard() {
        var state = World.state()
        state.session.viewer = .embedded("127.0.0.1:40001")
        state = update(state, .sources([], lastTapCall: state.now.addingTimeInterval(-120))).state
        state = send(state, .character("q"))
        #expect(!state.quit && state.confirmQuit)
        #expect(DashboardView.render(state).lines.joined(separator: "\n").contains("jobs are calling through this tap"))
        state = send(state, .character("n"))
        #expect(!state.quit && !state.confirmQuit)
        state = send(state, .character("q"), .character("y"))
        #expect(state.quit)
        // Ten minutes quiet, or attached to a recorder: no question.
        var quiet = update(World.state(), .sources([], lastTapCall: World.state().now.addingTimeInterval(-601))).state
        quiet.session.viewer = .embedded("127.0.0.1:40001")
        #expect(send(quiet, .character("q")).quit)
        var attached = update(World.state(), .sources([], lastTapCall: World.state().now)).state
        attached.session.viewer = .attached("127.0.0.1:8788")
        #expect(send(attached, .character("q")).quit)
        // A signal (an SSH hang-up) never asks.
        var busy = update(World.state(), .sources([], lastTapCall: World.state().now)).state
        busy.session.viewer = .embedded("127.0.0.1:40001")
        #expect(update(busy, .stop).state.quit)
    }

    @Test("the header says attached and since when, or recording while open; a source that is down has a line")
    func header() {
        var state = World.state()
        state.session.viewer = .attached("127.0.0.1:8788")
        state = update(state, .sources([
            SourceLine(name: "127.0.0.1:8788", condition: .live, historySince: state.now.addingTimeInterval(-3 * 86_400)),
            SourceLine(name: "box2", condition: .unreachable(since: state.now.addingTimeInterval(-60), reason: "connection refused"),
                       historySince: nil),
        ], lastTapCall: nil)).state
        let frame = DashboardView.render(state).lines.joined(separator: "\n")
        #expect(frame.contains("recorder 127.0.0.1:8788 · since 3d"), "\(frame)")
        #expect(frame.contains("box2 unreachable since"), "\(frame)")
        #expect(!frame.contains("probes"), "an attached window does not probe: \(frame)")
        state.session.viewer = .embedded("127.0.0.1:40001")
        #expect(DashboardView.render(state).lines.joined(separator: "\n").contains("recording while open"))
    }
}
