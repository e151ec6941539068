import Foundation
import Hummingbird
import Wire

/// `GET /healthz`: where the journal is, how far it trails, how many tokens it knows, and
/// whether it is dropping records, which also turns the status to 503 so a probe notices.
enum HealthRoute {
    static func respond(_ sources: AdminSources) async throws -> Response {
        let health = sources.health()
        let body = HealthBody(
            journal: sources.journalPath, lagMs: sources.lagMilliseconds(), tokens: try await sources.reader.tokenCount(),
            journalStatus: health.isDropping ? health.description : "ok", droppedRecords: health.droppedRecords,
            tapDropped: sources.tapDropped(), lastSeq: try await sources.reader.lastSeq(),
            oldest: try await sources.reader.oldestRecord().map(WireFormat.time), tunnels: sources.tunnels())
        return Response(
            status: health.isDropping ? .serviceUnavailable : .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: WireFormat.encode(body) + "\n")))
    }
}
