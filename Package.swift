// swift-tools-version:6.1
// The mapitop package: one module per job, imports as ../shared/DESIGN.md section 3 draws them.
import PackageDescription

let package = Package(
    name: "mapitop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mapitop", targets: ["mapitop"]),
        .library(name: "ManagementAPI", targets: ["ManagementAPI"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Monitor", targets: ["Monitor"]),
        .library(name: "Screen", targets: ["Screen"]),
        .library(name: "Dashboard", targets: ["Dashboard"]),
        // For the Benchmarks package (the journal's append rate, week size and rebuild time).
        .library(name: "Journal", targets: ["Journal"]),
        // For the Benchmarks package (a /metrics scrape of 100 tokens).
        .library(name: "MetricsExport", targets: ["MetricsExport"]),
        // For the Benchmarks package (a viewer attached to a recorder: attach, replay, latency).
        .library(name: "Recorder", targets: ["Recorder"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Feed", targets: ["Feed"]),
        .library(name: "Supervision", targets: ["Supervision"]),
        .library(name: "Collectors", targets: ["Collectors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The tap's own certificate authority (DESIGN.md section 11): certificates, name constraints, PEM.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // The export tests read CSV back with a reader its writer's authors did not write.
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The one table of scalars that never reach a terminal or a file raw, and its escapes.
        .target(name: "TextSafety"),
        .target(
            name: "ManagementAPI",
            dependencies: [
                "TextSafety",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // gzip answers from gateways, decoded under a cap (ContentDecoding).
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(name: "Monitor", dependencies: ["ManagementAPI"]),
        // The config file: model, loader (errors name file, line and key), secrets, listen
        // addresses. DESIGN.md section 3 calls it Configuration; AsyncHTTPClient depends on
        // apple/swift-configuration, whose module has that name, and SwiftPM allows one module
        // of a name in a graph (module aliasing renames ours too).
        .target(
            name: "ConfigFile",
            dependencies: ["ManagementAPI", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "Collectors",
            dependencies: [
                "ManagementAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The tap's pipeline and its upstream connections are SwiftNIO's directly (issue 15),
                // and so are its listener and its drain on shutdown (DESIGN.md section 3).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The ClientHello's server name, read before the leaf is chosen.
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Screen", dependencies: ["CNcurses", "TextSafety"]),
        .target(
            name: "Dashboard",
            dependencies: [
                "Monitor", "Screen", "ConfigFile", "ManagementAPI",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Simulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The synthetic jobs are HTTP callers of their own: the transport library,
                // never the ManagementAPI client (DESIGN.md §3: a shared bug cannot hide).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Answers gzip when asked, as a compressing gateway does (DESIGN.md §1).
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // Servers that start or throw, and services that cannot stop unnoticed (issue 11).
        .target(
            name: "Supervision",
            dependencies: [
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The recorder's store: SQLite through GRDB, records in, records out (issue 12).
        .target(name: "Journal", dependencies: ["ManagementAPI", .product(name: "GRDB", package: "GRDB.swift")]),
        // The admin protocol both sides speak: wire lines, Server-Sent Events, the health body,
        // the runtime file (DESIGN.md section 3).
        .target(name: "Wire", dependencies: ["ManagementAPI", "TextSafety"]),
        // The viewer's side: following recorders, the timeline, history, attach-or-record.
        .target(
            name: "Feed",
            dependencies: [
                "Wire", "Journal", "Monitor", "ManagementAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The recorder's /metrics (issue 14): what it observes, in the Prometheus text format,
        // with bounded labels (DESIGN.md section 10).
        .target(
            name: "MetricsExport",
            dependencies: ["ManagementAPI", "Monitor", .product(name: "Prometheus", package: "swift-prometheus")]),
        .testTarget(name: "TextSafetyTests", dependencies: ["TextSafety"]),
        .testTarget(name: "MetricsExportTests", dependencies: ["MetricsExport", "ManagementAPI", "Monitor"]),
        // The recorder (issue 12): its assembly of probes, tap, journal, retention and health
        // watch; the admin server (/healthz, /v1/calls, /v1/events); the runtime file.
        .target(
            name: "Recorder",
            dependencies: [
                "Journal", "ManagementAPI", "Monitor", "Collectors", "Supervision", "MetricsExport", "Wire", "ConfigFile",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // SSE streams end on graceful shutdown instead of holding the server open.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `mapitop export` (issue 14): journaled calls as JSON Lines, CSV or HAR 1.2, streamed.
        .target(
            name: "Export",
            dependencies: [
                "Journal", "ManagementAPI", "Monitor", "Wire", "Feed", "TextSafety",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "Journal", "ManagementAPI", "Monitor", "Wire", "TestSupport", .product(name: "CSV", package: "CSV.swift")]),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "Recorder", "Wire", "Feed", "Journal", "ManagementAPI", "Monitor", "Collectors", "TestSupport", "MetricsExport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The executable's log file: appends, rotates, reopens, never traps (issue 11).
        .target(
            name: "LogFile",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "mapitop",
            dependencies: [
                "ManagementAPI", "Monitor", "Collectors", "Screen", "Dashboard", "Simulator", "Supervision", "LogFile", "Journal", "Recorder",
                "Export", "Wire", "Feed", "TextSafety", "ConfigFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Helpers that more than one test target needs; never linked into the product.
        .target(
            name: "TestSupport", dependencies: ["SupportStart", .product(name: "CompressNIO", package: "compress-nio")], path: "Tests/Support"),
        // Starts TestSupport's watchdog of the cooperative pool when the test bundle loads.
        .target(name: "SupportStart", path: "Tests/SupportStart"),
        .testTarget(
            name: "ManagementAPITests",
            dependencies: [
                "ManagementAPI", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "ManagementAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MonitorTests",
            dependencies: [
                "Monitor", "ManagementAPI",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "ScreenTests", dependencies: ["Screen"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "ConfigFile", "Screen", "Monitor", "ManagementAPI"]),
        .testTarget(
            name: "CollectorsTests",
            dependencies: [
                "Collectors", "Simulator", "Monitor", "ManagementAPI", "Supervision", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SupervisionTests",
            dependencies: [
                "Supervision", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "LogFileTests", dependencies: ["LogFile", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "JournalTests",
            dependencies: ["Journal", "Feed", "ManagementAPI", "Monitor", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        // Drives the real binary in tmux; depends on the executable so it is built first.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "mapitop", "Simulator", "ManagementAPI", "TestSupport", "Journal", "Recorder", "Wire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
