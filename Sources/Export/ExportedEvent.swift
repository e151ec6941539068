import Journal
import ManagementAPI

/// What an export writes: a failed call in full, or a bucket of successful ones. Figures and
/// tokens are not calls.
public enum ExportedEvent: Sendable, Hashable {
    case call(JournaledCall)
    case bucket(CallBucket)

    public init?(_ event: JournalEvent) {
        switch event {
        case .call(let call): self = .call(call)
        case .bucket(let bucket): self = .bucket(bucket)
        case .figure, .token: return nil
        }
    }

    public var journalEvent: JournalEvent {
        switch self {
        case .call(let call): .call(call)
        case .bucket(let bucket): .bucket(bucket)
        }
    }
}
