import Foundation

/// `/healthz`'s body, one type for the recorder that writes it and the clients that read it
/// (a viewer attaching, `mapitop info`, a window deciding whether a recorder lives).
public struct HealthBody: Codable, Sendable, Equatable {
    public var v = WireFormat.version
    public let journal: String
    public let lagMs: Int
    public let tokens: Int
    /// "ok", or why the journal is dropping records.
    public let journalStatus: String
    /// Records lost since the recorder started (failed writes and a full queue): a probe
    /// that only saw 200s still learns that a batch was lost between two of its looks.
    public let droppedRecords: Int
    /// Calls the tap answered but could not queue for the journal (its queue was full).
    public let tapDropped: Int
    /// The highest seq written: a viewer reads `/v1/calls` after asking this, then follows
    /// `/v1/events` from it, so nothing written meanwhile is missed.
    public let lastSeq: Int64
    /// The journal's first record (ISO 8601), null when it is empty: how far back a viewer
    /// can travel.
    public let oldest: String?
    /// Blind tunnels the tap opened, per host (`other` past its cap); absent without a tap
    /// or from an older recorder.
    public var tunnels: [String: Int]?

    public init(
        journal: String, lagMs: Int, tokens: Int, journalStatus: String, droppedRecords: Int, tapDropped: Int, lastSeq: Int64,
        oldest: String?, tunnels: [String: Int]? = nil
    ) {
        self.tunnels = tunnels
        self.journal = journal
        self.lagMs = lagMs
        self.tokens = tokens
        self.journalStatus = journalStatus
        self.droppedRecords = droppedRecords
        self.tapDropped = tapDropped
        self.lastSeq = lastSeq
        self.oldest = oldest
    }

    public enum Reading: Sendable, Equatable {
        case body(HealthBody)
        /// A recorder of another wire version: its body may have other fields.
        case otherVersion(Int)
        /// Not a recorder's body at all.
        case garbled
    }

    /// Reads a body: the version first, so a recorder of another version is named as such.
    public static func read(_ bytes: some Sequence<UInt8>) -> Reading {
        let data = Data(bytes)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let version = try? decoder.decode(Version.self, from: data) else { return .garbled }
        guard version.v == WireFormat.version else { return .otherVersion(version.v) }
        guard let body = try? decoder.decode(HealthBody.self, from: data) else { return .garbled }
        return .body(body)
    }

    private struct Version: Decodable {
        let v: Int
    }
}
