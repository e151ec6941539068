import Foundation
import ManagementAPI

/// Where a paged range read stopped: the time and seq of the last row it returned. The next
/// page starts after it, so rows sharing a time are neither skipped nor repeated.
public struct RangeCursor: Sendable, Hashable {
    public let time: Date
    public let seq: Int64

    public init(time: Date, seq: Int64) {
        self.time = time
        self.seq = seq
    }
}
