import ManagementAPI

extension Filter {
    /// Whether a journaled call or bucket passes the filter: a bucket as one of the calls it
    /// folds (they differ only in the time, which no filter term reads). Figures and tokens
    /// are not calls and never match.
    public func matches(_ event: JournalEvent) -> Bool {
        switch event {
        case .call(let call): matches(call.record)
        case .bucket(let bucket): bucket.count > 0 && matches(bucket.call(at: 0))
        case .figure, .token: false
        }
    }
}
