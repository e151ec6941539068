import Foundation
import ManagementAPI
import Screen
import Testing
@testable import Dashboard

@Suite("The run loop stops when its owner asks (a collector failed)")
struct LoopStopRequestTests {
    @Test("stopRequested ends run() within a turn, with no signal, the state quitting")
    func stopsOnRequest() {
        let terminal = MemoryTerminal(width: 100, height: 30)
        let clock = ManualClock(World.start.addingTimeInterval(30))
        var asked = 0
        let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock, state: World.state(),
                                 loadTheme: { _ in .builtInDefault },
                                 stopRequested: {
                                     asked += 1
                                     return asked >= 3
                                 })
        #expect(loop.run() == nil)
        #expect(asked == 3)
        #expect(loop.state.quit)
    }
}
