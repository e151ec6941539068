import Collectors
import ConfigFile
import Foundation
import Journal
import Logging
import ManagementAPI
import MetricsExport
import NIOCore
import ServiceLifecycle
import Supervision

/// A recorder, assembled (DESIGN.md section 8): the journal writer, the probes of every
/// configured token, the tap when asked, the admin server, the retention loop and the
/// health watcher. `start` opens the journal and binds every port before it returns, so a
/// locked journal or a taken port is an error here, not a service that dies later.
///
/// Run `services` in a group (a graceful shutdown stops them in reverse order: the tap
/// drains its in-flight calls first, the admin server goes last), then call `close()`,
/// which writes what is queued and releases the journal.
public final class Recording: Sendable {
    public typealias Observer = @Sendable (CallRecord) -> Void

    public let journal: JournalWriter
    public let reader: JournalReader
    /// `host:port` the admin server listens on (the bound port when 0 was asked for).
    public let adminAddress: String
    /// `host:port` the tap listens on, nil without a tap.
    public let tapAddress: String?
    /// `host:port` of the tap's TLS listener, nil without one.
    public let tapTLSAddress: String?
    public let upstream: String
    /// Each named for a user and supervised: one that stops on its own ends the group.
    public let services: [any Service]

    private init(journal: JournalWriter, reader: JournalReader, adminAddress: String, tapAddress: String?, tapTLSAddress: String?,
                 upstream: String, services: [any Service])
    {
        self.tapTLSAddress = tapTLSAddress
        self.journal = journal
        self.reader = reader
        self.adminAddress = adminAddress
        self.tapAddress = tapAddress
        self.upstream = upstream
        self.services = services
    }

    /// `observers` see every record as the journal gets it (a dashboard's monitor, say);
    /// like the journal's append they run on the tap's answer path, so they must not wait.
    /// `report` receives the lines a person should see (the journal starts or stops
    /// dropping records, a retention pass fails); the caller sanitizes and prints them.
    public static func start(
        _ options: RecordingOptions, observers: [Observer] = [], logger: Logger,
        report: @escaping @Sendable (String) -> Void
    ) async throws(RecordingStartError) -> Recording {
        let journal: JournalWriter
        let reader: JournalReader
        do {
            journal = try JournalWriter(path: options.journalPath, options: options.journal)
        } catch {
            throw .journal(error)
        }
        do {
            reader = try JournalReader(path: options.journalPath)
        } catch {
            await journal.close()
            throw .journal(error)
        }

        // /metrics sees every record the journal gets (issue 14).
        let metrics = RecorderMetrics.recording(options, journal: journal)
        let observers = observers + [metrics.observe]
        // The tap hands its calls over through this queue, off the answers' path.
        let tapQueue = TapCallQueue()
        let tapStatus = TapStatus()
        var sources = AdminSources(
            writer: journal, reader: reader, metrics: metrics, lagMilliseconds: { Self.lagMilliseconds(journal) },
            tapDropped: { tapQueue.dropped })
        if options.tap != nil { sources.tunnels = { tapStatus.tunnels.snapshot } }
        let admin: StartedServer
        do {
            admin = try await ServerStartup.start(address: options.admin.description, logger: logger) { onServerRunning in
                buildAdminApplication(sources: sources, host: options.admin.host, port: options.admin.port, events: options.events,
                                      access: AdminAccess(readers: options.adminReaders), logger: logger, onServerRunning: onServerRunning)
            }
        } catch {
            await Self.release(journal, reader)
            throw .admin(error)
        }
        let adminAddress = ListenAddress.describe(host: options.admin.host, port: admin.port)

        let client = ManagementClient(configuration: .init(baseURL: options.upstream), logger: logger)
        let probes = ProbeRunner(
            targets: options.probes, perMinute: options.probesPerMinute, seed: options.probeSeed, perform: ProbeRunner.performing(with: client),
            sink: { record in
                journal.append(record)
                for observer in observers { observer(record) }
            })

        var services: [any Service] = [
            SupervisedService("the admin server on \(adminAddress)", admin),
            SupervisedService("the retention of \(options.journalPath)", RetentionService(
                journal: journal, retain: options.retain, maxBytes: options.maxBytes, interval: options.retentionInterval,
                report: report, logger: logger)),
            SupervisedService("the journal's health watch", JournalHealthWatcher(
                journal: journal, interval: options.healthInterval, tapDropped: { tapQueue.dropped }, report: report)),
            SupervisedService("the probes", UntilShutdown { await probes.run() }),
        ]
        var tapAddress: String?
        var tapTLSAddress: String?
        if let address = options.tap {
            var configuration = TapConfiguration(host: address.host, port: address.port, upstream: options.upstream, labels: options.labels)
            configuration.intercept = options.intercept
            configuration.tunnel = options.tunnel
            configuration.authority = options.authority
            configuration.jobRules = options.jobRules
            if let tls = options.tapTLS {
                configuration.tlsHost = tls.host
                configuration.tlsPort = tls.port
            }
            let tap: StartedServer
            do {
                tap = try await ServerStartup.start(address: address.description, logger: logger) { onServerRunning in
                    Tap.application(configuration, logger: logger, queue: tapQueue, status: tapStatus, notice: report, onServerRunning: onServerRunning, calls: { call in
                        probes.observe(call.record)
                        journal.append(call.record, requestBody: Self.journaledBody(call), query: call.query)
                        for observer in observers { observer(call.record) }
                    })
                }
            } catch {
                await admin.stop()
                await Self.release(journal, reader)
                throw .tap(error)
            }
            let listening = ListenAddress.describe(host: address.host, port: tap.port)
            if let tls = options.tapTLS, let port = tapStatus.tlsPort { tapTLSAddress = ListenAddress.describe(host: tls.host, port: port) }
            // Last: a group stops its services in reverse order, so the tap drains its
            // in-flight calls while the journal and the admin server still run.
            services.append(SupervisedService("the tap on \(listening)", tap))
            tapAddress = listening
        }
        return Recording(journal: journal, reader: reader, adminAddress: adminAddress, tapAddress: tapAddress,
                         tapTLSAddress: tapTLSAddress, upstream: options.upstream, services: services)
    }

    /// Writes what is queued, closes the journal and releases its lock. Call it once the
    /// services have stopped.
    public func close() async {
        await Self.release(journal, reader)
    }

    private static func release(_ journal: JournalWriter, _ reader: JournalReader) async {
        await journal.close()
        try? reader.close()
    }

    /// The body the journal keeps: only a failed call's, and only as much as it keeps (64 KiB,
    /// one byte more so it can mark the cut), copied here so a large upload is not copied whole
    /// on the answer path.
    static func journaledBody(_ call: TappedCall) -> Data? {
        guard let body = call.requestBody, body.readableBytes > 0 else { return nil }
        if let status = call.record.outcome.status, (200..<300).contains(status) { return nil }
        return Data(body.readableBytesView.prefix(RequestBody.cap + 1))
    }

    /// How far the journal trails the traffic: the age of the oldest record still queued.
    static func lagMilliseconds(_ journal: JournalWriter, now: Date = Date()) -> Int {
        guard let oldest = journal.oldestQueuedAnswer else { return 0 }
        return max(0, Int((now.timeIntervalSince(oldest) * 1_000).rounded()))
    }
}

/// Why a recorder did not start, in one line, with the exit status the command uses.
public enum RecordingStartError: Error, CustomStringConvertible {
    case journal(JournalError)
    case admin(StartupError)
    case tap(StartupError)

    public var description: String {
        switch self {
        case .journal(let error): error.description
        case .admin(let error): "--admin: \(error)"
        case .tap(let error): "--tap: \(error)"
        }
    }

    /// The journal's own sysexits status (78 not a journal, 75 locked, 74 I/O); 1 for a port.
    public var exitCode: Int32 {
        switch self {
        case .journal(let error): error.exitCode
        case .admin, .tap: 1
        }
    }
}

/// Work that runs until the group shuts down (the probes: their loop ends when cancelled).
struct UntilShutdown: Service {
    let body: @Sendable () async -> Void
    init(_ body: @escaping @Sendable () async -> Void) { self.body = body }
    func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
    }
}
