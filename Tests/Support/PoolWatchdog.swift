import Foundation
import Synchronization

/// Watches Swift concurrency's cooperative pool for the whole test run: a task sleeps 1 ms
/// again and again and measures how late it wakes. The pool has as many threads as cores (two
/// here), so a blocking call on it (a synchronous socket read, a `waitpid`, a synchronous
/// SQLite write) delays every task of the process; a test that then misses a deadline is a
/// symptom, and this names the cause: each stall past `reportAbove` is one line on stderr
/// while it happens, and the worst delay of the run is the last line the process writes.
///
/// Started when the test bundle loads (SupportStart's constructor calls
/// `mapitop_test_watchdog_start`), before any test runs; `start()` is idempotent.
public enum PoolWatchdog {
    /// A wake-up later than this is reported as it happens.
    public static let reportAbove: Duration = .milliseconds(100)

    struct Figures {
        var started = false
        var samples = 0
        var worst: Duration = .zero
        var worstAt = ""
        var stalls = 0
    }

    static let figures = Mutex(Figures())

    /// Starts the watchdog once per process; later calls do nothing. The first sleep waits on
    /// a thread of its own: the constructor that calls this runs before the Swift runtime has
    /// set up the test run, where starting a task could come too early.
    public static func start() {
        // `swift test` loads the bundle once for XCTest (no tests here) before Swift Testing's
        // run, which it names with `--testing-library swift-testing`.
        guard CommandLine.arguments.contains("swift-testing") else { return }
        let first = figures.withLock { figures in
            defer { figures.started = true }
            return !figures.started
        }
        guard first else { return }
        atexit { PoolWatchdog.reportAtExit() }
        Thread.detachNewThread {
            Task.detached(priority: .medium) { await watch() }
        }
    }

    /// The worst delay so far (for a test of the watchdog itself, and for the summary).
    public static var worstDelay: Duration { figures.withLock { $0.worst } }

    private static func watch() async {
        let clock = ContinuousClock()
        while true {
            let asked: Duration = .milliseconds(1)
            let before = clock.now
            try? await Task.sleep(for: asked)
            let late = clock.now - before - asked
            record(late)
        }
    }

    static func record(_ late: Duration) {
        let report = figures.withLock { figures -> Bool in
            figures.samples += 1
            if late > figures.worst {
                figures.worst = late
                figures.worstAt = timeOfDay()
            }
            guard late > reportAbove else { return false }
            figures.stalls += 1
            return true
        }
        if report { say("watchdog: the cooperative pool stalled \(milliseconds(late)) ms at \(timeOfDay())") }
    }

    private static func reportAtExit() {
        let figures = figures.withLock { $0 }
        // A process that ran no test (swift test runs the bundle once for XCTest) has nothing to say.
        guard figures.samples > 0 else { return }
        say("watchdog: worst wake-up delay \(milliseconds(figures.worst)) ms at \(figures.worstAt) over \(figures.samples) samples; "
            + "\(figures.stalls) stalls over \(milliseconds(reportAbove)) ms")
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    private static func timeOfDay() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        localtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, Int(now.tv_nsec / 1_000_000))
    }

    /// One line on stderr, written whole (never through a buffered stream another thread uses).
    private static func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// What SupportStart's constructor calls when the test bundle loads.
@_cdecl("mapitop_test_watchdog_start")
public func mapitopTestWatchdogStart() { PoolWatchdog.start() }
