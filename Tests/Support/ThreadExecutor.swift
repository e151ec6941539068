import Foundation

/// A task executor with one thread of its own. A test that starts hundreds of tasks at once
/// (500 concurrent calls) runs them here with `withTaskExecutorPreference(ThreadExecutor.flood)`:
/// on the cooperative pool (two threads here) every other test's task, and every in-process
/// server, would wait in line behind them.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    /// One for the floods of the whole run; its thread lives as long as the process.
    public static let flood = ThreadExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    public init() {
        Thread.detachNewThread { [self] in run() }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let ready = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in ready { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
