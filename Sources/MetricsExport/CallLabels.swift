import ManagementAPI

/// The `class`, `status` and `code` labels of `mapitop_calls_total`. Every value comes from a
/// closed list, so whatever an upstream or a gateway answers, one token has a few dozen
/// series at most: a status the API does not document is `status="other"`, and a code is kept
/// only where the seed's error spec gives it to that status (any field code for a 400, the one
/// code of each other status, a transport failure's kind), else `code="other"`.
struct CallLabels: Hashable, Sendable {
    let statusClass: String
    let status: String
    let code: String

    /// A success and an answer without a code carry this code; a call without an HTTP answer
    /// carries it as its status.
    static let none = "none"
    static let other = "other"

    init(_ record: CallRecord) {
        statusClass = record.statusClass.rawValue
        switch record.outcome {
        case .transport(let failure):
            status = Self.none
            code = failure.rawValue
        case .status(let number):
            status = Self.documentedStatuses.contains(number) ? String(number) : Self.other
            code = Self.code(status: number, errors: record.errors)
        }
    }

    /// One code per call, so the counter counts calls: a 400 naming several field codes counts
    /// under its first one.
    private static func code(status: Int, errors: [ErrorEntry]) -> String {
        if (200..<300).contains(status) { return none }
        guard let first = errors.first?.code else { return none }
        if status == 400 { return fieldCodes.contains(first) ? first : other }
        return StandardCodes.byStatus[status] == first ? first : other
    }

    private static let fieldCodes = Set(StandardCodes.fieldCodes)
    /// The statuses the API and its gateways are documented to answer.
    private static let documentedStatuses = Set([200, 201, 202, 204, 400, 413]).union(StandardCodes.byStatus.keys)
}
