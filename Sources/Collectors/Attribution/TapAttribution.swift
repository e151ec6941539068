import ManagementAPI
import NIOCore
import Synchronization

/// Names each tapped call's job and holds the caps, in the delivery (off every answer's
/// path): it waits for the connection's caller, which was looked up when the job connected,
/// so a record may wait for it but a job never does.
public final class TapAttribution: Sendable {
    let naming: JobNaming

    private struct State {
        var caps = AttributionCaps()
        /// Names already worked out, by caller and User-Agent: the rules' patterns run once
        /// per connection rather than per call. Bounded: cleared when full.
        var names: [Key: String] = [:]
    }

    private struct Key: Hashable {
        let caller: Caller
        let userAgent: String?
    }

    static let namesLimit = 4_096
    private let state = Mutex(State())

    public init(naming: JobNaming) { self.naming = naming }

    func attribute(_ call: TappedCall) async -> TappedCall {
        let caller = await call.caller?.caller() ?? .unknown
        return call.with(record: attributed(call.record, caller: caller, userAgent: call.userAgent))
    }

    /// `record` with its job named and both names through the caps: what each call costs once
    /// its connection's caller is known (`make bench` measures it).
    public func attributed(_ record: CallRecord, caller: Caller, userAgent: String?) -> CallRecord {
        let agent = userAgent.map { JobName.prefix($0, bytes: JobNaming.userAgentLimit) }
        let key = Key(caller: caller, userAgent: agent)
        let (job, route) = state.withLock { state in
            let name: String
            if let known = state.names[key] {
                name = known
            } else {
                name = naming.name(of: caller, userAgent: agent)
                if state.names.count >= Self.namesLimit { state.names.removeAll(keepingCapacity: true) }
                state.names[key] = name
            }
            return state.caps.admit(token: record.token.fingerprint, job: name, route: record.route)
        }
        return record.attributed(job: job, route: route)
    }
}
