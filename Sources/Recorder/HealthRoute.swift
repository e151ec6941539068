import Foundation
import Hummingbird

/// `GET /healthz`: where the journal is, how far it trails, how many tokens it knows, and
/// whether it is dropping records, which also turns the status to 503 so a probe notices.
enum HealthRoute {
    struct Body: Encodable {
        let v = WireFormat.version
        let journal: String
        let lagMs: Int
        let tokens: Int
        let journalStatus: String
        /// Records lost since the recorder started (failed writes and a full queue): a probe
        /// that only saw 200s still learns that a batch was lost between two of its looks.
        let droppedRecords: Int
        /// Calls the tap answered but could not queue for the journal (its queue was full).
        let tapDropped: Int
        /// The highest seq written: a viewer reads `/v1/calls` after asking this, then follows
        /// `/v1/events` from it, so nothing written meanwhile is missed.
        let lastSeq: Int64
        /// The journal's first record (ISO 8601), null when it is empty: how far back a viewer
        /// can travel.
        let oldest: String?
    }

    static func respond(_ sources: AdminSources) async throws -> Response {
        let health = sources.health()
        let body = Body(
            journal: sources.journalPath, lagMs: sources.lagMilliseconds(), tokens: try await sources.reader.tokenCount(),
            journalStatus: health.isDropping ? health.description : "ok", droppedRecords: health.droppedRecords,
            tapDropped: sources.tapDropped(), lastSeq: try await sources.reader.lastSeq(),
            oldest: try await sources.reader.oldestRecord().map(WireFormat.time))
        return Response(
            status: health.isDropping ? .serviceUnavailable : .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: WireFormat.encode(body) + "\n")))
    }
}
