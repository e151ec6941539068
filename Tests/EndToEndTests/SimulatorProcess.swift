import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `mapitop simulate` process on a port of its own. For tests that push tens of
/// thousands of calls: an in-process simulator would answer them on the test process's
/// cooperative threads, which every other test of the run shares (two on this machine).
/// The last reference kills and reaps it.
final class SimulatorProcess: Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    let port: Int
    private let outputPath: String

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts `mapitop simulate --port 0 …` with `arguments` and waits for its listening line.
    static func start(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> SimulatorProcess {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-sim-\(UUID().uuidString).log").path
        let pid = Spawn.launch(Binary.path, ["simulate", "--host", "127.0.0.1", "--port", "0"] + arguments, outputFile: output)
        guard pid > 0 else { throw StartFailure(description: "could not spawn \(Binary.path)") }
        let marker = "listening on http://127.0.0.1:"
        let deadline = ContinuousClock.now + timeout
        // Whatever ends the wait without a port (the deadline, a cancellation) ends the child too.
        var started: SimulatorProcess?
        defer {
            if started == nil {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                try? FileManager.default.removeItem(atPath: output)
            }
        }
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: marker), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                let process = SimulatorProcess(pid: pid, port: port, outputPath: output)
                started = process
                return process
            }
            if kill(pid, 0) != 0 { throw StartFailure(description: "mapitop simulate exited before listening: \(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StartFailure(description: "mapitop simulate did not listen within \(timeout)")
    }

    private init(pid: pid_t, port: Int, outputPath: String) {
        self.pid = pid
        self.port = port
        self.outputPath = outputPath
    }

    deinit {
        kill(pid, SIGKILL)
        let pid = pid
        let outputPath = outputPath
        // Reaped on a thread of its own: deinit may run on a cooperative thread.
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
            try? FileManager.default.removeItem(atPath: outputPath)
        }
    }
}
