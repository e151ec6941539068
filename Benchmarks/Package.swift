// swift-tools-version:6.1
// Benchmarks live in their own package so that `make test` never builds package-benchmark.
// `make bench` runs them: `swift package benchmark` in this folder.
import PackageDescription

let package = Package(
    name: "mapitop-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "mapitop", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "DecodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
            ],
            path: "Benchmarks/DecodingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MonitorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "Monitor", package: "mapitop"),
            ],
            path: "Benchmarks/MonitorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DashboardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "Monitor", package: "mapitop"),
                .product(name: "Screen", package: "mapitop"),
                .product(name: "Dashboard", package: "mapitop"),
            ],
            path: "Benchmarks/DashboardBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LoopbackBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "Simulator", package: "mapitop"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/LoopbackBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The journal (issue 12): append rate, a simulated week's size on disk, monitor rebuild time.
        .executableTarget(
            name: "JournalBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "Monitor", package: "mapitop"),
                .product(name: "Journal", package: "mapitop"),
                // The viewer (issue 13): attach, a time-travel step, event latency.
                .product(name: "Recorder", package: "mapitop"),
                .product(name: "Wire", package: "mapitop"),
                .product(name: "Feed", package: "mapitop"),
                .product(name: "Supervision", package: "mapitop"),
                .product(name: "Collectors", package: "mapitop"),
                .product(name: "Simulator", package: "mapitop"),
                .product(name: "Dashboard", package: "mapitop"),
                .product(name: "Screen", package: "mapitop"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/JournalBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Who is calling (issue 26): a new connection's caller among 500 processes, a kept-alive call's job.
        .executableTarget(
            name: "AttributionBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "Collectors", package: "mapitop"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/AttributionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // /metrics (issue 14): a scrape of 100 tokens.
        .executableTarget(
            name: "MetricsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ManagementAPI", package: "mapitop"),
                .product(name: "MetricsExport", package: "mapitop"),
            ],
            path: "Benchmarks/MetricsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
