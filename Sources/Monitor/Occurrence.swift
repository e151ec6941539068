import Foundation
import ManagementAPI

/// Which group an answer counts in: its class, its status and its code. A 400 counts in
/// the group of each field code it carries (a call with too_long and required is in both),
/// so a class counts distinct calls, not the sum of its groups.
public struct GroupKey: Sendable, Hashable, Comparable {
    public let statusClass: StatusClass
    /// nil for transport failures.
    public let status: Int?
    public let code: String

    public init(statusClass: StatusClass, status: Int?, code: String) {
        self.statusClass = statusClass
        self.status = status
        self.code = code
    }

    public init(_ record: CallRecord) {
        switch record.outcome {
        case .status(let status):
            let code = (200..<300).contains(status) ? "" : (record.errors.first?.code ?? StandardCodes.code(forStatus: status))
            self.init(statusClass: StatusClass(status: status), status: status, code: code)
        case .transport(let failure):
            self.init(statusClass: .transport, status: nil, code: failure.rawValue)
        }
    }

    /// Every group a record counts in: one per distinct field code for a 400, else one.
    public static func keys(for record: CallRecord) -> [GroupKey] {
        let primary = GroupKey(record)
        guard primary.status == 400, record.errors.count > 1 else { return [primary] }
        var seen: Set<String> = []
        return record.errors.compactMap { entry in
            seen.insert(entry.code).inserted ? GroupKey(statusClass: .clientError, status: 400, code: entry.code) : nil
        }
    }

    /// The code of the group that codes past `MonitorConfiguration.maxGroups` count in.
    public static let otherCode = "other"

    public var isOther: Bool { code == Self.otherCode }

    /// The "other" group of this key's status.
    public var other: GroupKey { GroupKey(statusClass: statusClass, status: status, code: Self.otherCode) }

    /// "400 Bad Request · too_long", "429 rate_limit_exceeded", "transport · refused".
    public var title: String { title(separator: "·") }

    /// The title with another separator (ASCII screens use "-").
    public func title(separator: String) -> String {
        guard let status else { return "transport \(separator) \(code)" }
        if status == 400 { return "400 Bad Request \(separator) \(code)" }
        if code.isEmpty { return "\(status) \(StandardCodes.reasonPhrase(status))" }
        return "\(status) \(code)"
    }

    public static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
        if lhs.statusClass != rhs.statusClass { return lhs.statusClass < rhs.statusClass }
        if lhs.status != rhs.status { return (lhs.status ?? 0) < (rhs.status ?? 0) }
        return lhs.code < rhs.code
    }
}

/// One retained error: the record and its place in the tree. A class, so the ring, the
/// snapshot's lists and the screen share one copy of the record's strings and arrays.
public final class Occurrence: Sendable, Hashable, Identifiable {
    /// Increases with every ingested error; stable while the occurrence is retained.
    public let id: UInt64
    public let record: CallRecord
    /// The group's index in the monitor, so snapshots group without hashing keys.
    let slot: Int
    /// The other groups a 400 with several field codes counts in. The monitor hands every
    /// occurrence with the same codes one shared array, so this costs no block of its own.
    let extraSlots: [Int]
    /// The token's index in the monitor, for the same reason.
    let tokenSlot: Int

    init(id: UInt64, record: CallRecord, slot: Int = 0, extraSlots: [Int] = [], tokenSlot: Int = 0) {
        self.id = id
        self.record = record
        self.slot = slot
        self.extraSlots = extraSlots
        self.tokenSlot = tokenSlot
    }

    /// The group it is listed under first. Derived, not stored: 32 bytes per retained error.
    public var group: GroupKey { GroupKey(record) }

    public static func == (lhs: Occurrence, rhs: Occurrence) -> Bool { lhs.id == rhs.id && lhs.record == rhs.record }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The 400's field errors; empty for other statuses.
    public var fieldErrors: [ErrorEntry] { record.outcome.status == 400 ? record.errors : [] }

    /// What retaining it costs, estimated from its strings: the ring's byte budget counts
    /// this. The fixed part is the object, its record and the ring's entry for it.
    var estimatedBytes: Int { Self.fixedBytes + record.heapBytes }

    static let fixedBytes = 320
}
