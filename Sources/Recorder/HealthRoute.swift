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
    }

    static func respond(_ sources: AdminSources) throws -> Response {
        let health = sources.health()
        let body = Body(
            journal: sources.journalPath, lagMs: sources.lagMilliseconds(), tokens: try sources.reader.tokens().count,
            journalStatus: health.isDropping ? health.description : "ok")
        return Response(
            status: health.isDropping ? .serviceUnavailable : .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: WireFormat.encode(body) + "\n")))
    }
}
