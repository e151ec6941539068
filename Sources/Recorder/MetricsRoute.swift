import Hummingbird
import MetricsExport
import NIOCore

/// `GET /metrics`: the Prometheus text format (DESIGN.md section 10).
enum MetricsRoute {
    static func respond(_ metrics: RecorderMetrics) -> Response {
        Response(
            status: .ok, headers: [.contentType: RecorderMetrics.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.scrape())))
    }
}
