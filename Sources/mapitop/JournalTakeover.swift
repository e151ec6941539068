import Feed
import Foundation
import Logging
import Monitor
import Recorder
import ServiceLifecycle
import Synchronization
import Wire

/// DESIGN.md section 9: a window attached to another window's recorder takes the journal over
/// when that window quits. It starts a recorder of its own on the same journal (probes, no
/// tap: the jobs' tap was the other window's), publishes the runtime file, and its viewer
/// follows the new recorder from the last event it had, so nothing is lost or shown twice.
/// Only a window's recorder is taken over: `mapitop record` is systemd's to restart.
final class JournalTakeover: Service, Sendable {
    let viewer: Viewer
    /// The journal the windows share (the default one unless `--journal` named another).
    let journal: String
    let environment: [String: String]
    /// Starts and publishes the recorder; throws when it cannot yet (the journal still held).
    let start: @Sendable () async throws -> Recording
    let logger: Logger
    private let taken = Mutex<Recording?>(nil)
    /// The recorder another window started when it won the journal, now followed instead.
    private let followed = Mutex<String?>(nil)

    init(viewer: Viewer, journal: String, environment: [String: String], logger: Logger,
         start: @escaping @Sendable () async throws -> Recording) {
        self.viewer = viewer
        self.journal = journal
        self.environment = environment
        self.logger = logger
        self.start = start
    }

    /// Recording while open once it took over; attached to another window's recorder when that
    /// one won; nil while nothing changed.
    var mode: ViewerMode? {
        if let recording = taken.withLock({ $0 }) { return .embedded(recording.adminAddress) }
        return followed.withLock { $0 }.map { .attached($0) }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.waitForOwnerToQuit() }
        guard let recording = taken.withLock({ $0 }) else { return }
        // Its services run until this window closes; then what it queued reaches the disk.
        let group = ServiceGroup(configuration: .init(services: recording.services.map { .init(service: $0) }, logger: logger))
        do {
            try await withGracefulShutdownHandler {
                try await group.run()
            } onGracefulShutdown: {
                Task { await group.triggerGracefulShutdown() }
            }
        } catch {
            await finish(recording)
            throw error
        }
        await finish(recording)
    }

    /// Looks once a second while the first source is down: a recorder published meanwhile
    /// (another window won the journal, or `mapitop record` started) is followed instead;
    /// with none, this window starts its own.
    private func waitForOwnerToQuit() async {
        var lastFailure: String?
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard let line = viewer.lines().first, Self.isDown(line.condition), !Task.isCancelled else { continue }
            // A file whose pid lives but whose server does not answer is stale (the pid reused
            // after a kill -9): the journal's lock, not the file, decides who records.
            if let found = await LiveRecorder.find(journal: journal, environment: environment), found.health.answers {
                let running = found.runtime
                if running.admin != viewer.sources.first?.name {
                    logger.info("following the recorder now at \(running.admin)")
                    followed.withLock { $0 = running.admin }
                    viewer.move(0, to: ViewerSetup.attached(running))
                }
                continue
            }
            do {
                let recording = try await start()
                logger.info("took the journal over: recording while open, admin \(recording.adminAddress)")
                taken.withLock { $0 = recording }
                viewer.move(0, to: ViewerSetup.embedded(recording))
                return
            } catch {
                // Said once per reason (it is retried every second): the log, not the screen,
                // which shows the source as unreachable meanwhile.
                let reason = "\(error)"
                if reason != lastFailure { logger.warning("cannot take the journal over yet: \(reason)") }
                lastFailure = reason
            }
        }
    }

    /// The runtime file goes first: once the journal is released, a new window may publish its own.
    private func finish(_ recording: Recording) async {
        RuntimeFile.remove(journal: journal, environment: environment)
        await recording.close()
    }

    static func isDown(_ condition: SourceLine.Condition) -> Bool {
        switch condition {
        case .unreachable, .unreadable: true
        case .connecting, .live: false
        }
    }
}
