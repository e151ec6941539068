import Benchmark
import Foundation
import ManagementAPI

/// A 400 with ten field errors, one per template of the seed.
let tenFieldErrors: [UInt8] = {
    let descriptions: [(String, String)] = [
        ("too_long", "Field 'metadata.title' must be shorter than '255' characters. Value of '\(String(repeating: "t", count: 300))' was provided."),
        ("empty", "Field 'metadata.description' cannot be empty."),
        ("required", "Field 'upload.method' is required."),
        ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided."),
        ("invalid_format", "Field 'metadata.publish_start_date' cannot \"be parsed as a date\". Value of 'soon' was provided."),
        ("not_allowed", "Field 'upload.download_url' cannot be used with 'upload.method=direct'. Value of 'http://x/y.mp4' was provided."),
        ("too_high", "Field 'page_length' must be lower than '10001'. Value of '20000' was provided."),
        ("too_low", "Field 'page' must be higher than '0'. Value of '0' was provided."),
        ("too_short", "Field 'metadata.name' must be longer than '2'. Value of 'ab' was provided."),
        ("resource_exhausted", "You cannot 'create' any more of 'webhooks'. Value of '11' was provided."),
    ]
    let entries = descriptions.map { ["code": $0.0, "description": $0.1] }
    return Array(try! JSONSerialization.data(withJSONObject: ["errors": entries]))
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

    Benchmark("decode a 400 with 10 field errors") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ResponseDecoder.decodeError(status: 400, body: tenFieldErrors))
        }
    }

    // The baseline the figure above is quoted against: parsing the same bytes into
    // Foundation objects, with no interpretation at all.
    Benchmark("baseline: JSONSerialization of the same body") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONSerialization.jsonObject(with: Data(tenFieldErrors)))
        }
    }
}
