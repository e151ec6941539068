import ManagementAPI

extension Filter {
    /// Whether a journaled call or bucket passes the filter: a bucket when the first call of
    /// any of its parts does (a part's calls differ only in the time and latency, which no
    /// filter term reads; parts differ in job and route). The bucket passes whole, every part
    /// with it. Figures and tokens are not calls and never match.
    public func matches(_ event: JournalEvent) -> Bool {
        switch event {
        case .call(let call): return matches(call.record)
        case .bucket(let bucket):
            guard bucket.count > 0 else { return false }
            var first = 0
            for part in bucket.parts {
                if part.count > 0, matches(bucket.call(at: first)) { return true }
                first += part.count
            }
            return first < bucket.count && matches(bucket.call(at: first))
        case .figure, .token: return false
        }
    }
}
