import Foundation
import Logging
import Monitor
import Recorder
import ServiceLifecycle
import Synchronization

/// DESIGN.md section 9: a window attached to another window's recorder takes the journal over
/// when that window quits. It starts a recorder of its own on the same journal (probes, no
/// tap: the jobs' tap was the other window's), publishes the runtime file, and its viewer
/// follows the new recorder from the last event it had, so nothing is lost or shown twice.
/// Only a window's recorder is taken over: `mapitop record` is systemd's to restart.
final class JournalTakeover: Service, Sendable {
    let viewer: Viewer
    let environment: [String: String]
    /// Starts and publishes the recorder; nil when it cannot yet (the journal still held).
    let start: @Sendable () async -> Recording?
    let logger: Logger
    private let taken = Mutex<Recording?>(nil)

    init(viewer: Viewer, environment: [String: String], logger: Logger, start: @escaping @Sendable () async -> Recording?) {
        self.viewer = viewer
        self.environment = environment
        self.logger = logger
        self.start = start
    }

    /// Recording while open, once it took over.
    var mode: ViewerMode? { taken.withLock { $0.map { .embedded($0.adminAddress) } } }

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

    /// Looks once a second while the first source is down and no recorder is published.
    private func waitForOwnerToQuit() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard let line = viewer.lines().first, Self.isDown(line.condition), RuntimeFile.read(environment: environment) == nil,
                  !Task.isCancelled
            else { continue }
            guard let recording = await start() else { continue }
            logger.info("took the journal over: recording while open, admin \(recording.adminAddress)")
            taken.withLock { $0 = recording }
            viewer.move(0, to: ViewerSetup.embedded(recording))
            return
        }
    }

    private func finish(_ recording: Recording) async {
        await recording.close()
        RuntimeFile.remove(journal: RecordingOptions.defaultJournalPath(environment: environment), environment: environment)
    }

    static func isDown(_ condition: SourceLine.Condition) -> Bool {
        switch condition {
        case .unreachable, .unreadable: true
        case .connecting, .live: false
        }
    }
}
