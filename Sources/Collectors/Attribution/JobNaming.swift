import ManagementAPI

/// A call's job, by the rules of DESIGN.md section 12: the first `[[job]]` rule that matches
/// the program, script or User-Agent; else the script or the program; else the User-Agent's
/// product (`jwplatform_client-python`); else the user (`uid 1001`) or, off loopback, the
/// peer's address; else `?`.
public struct JobNaming: Sendable {
    public let rules: [JobRule]

    /// Bytes of a User-Agent a rule sees at most: a header of 8 KiB costs no more than this.
    static let userAgentLimit = 512

    public init(rules: [JobRule] = []) { self.rules = rules }

    public func name(of caller: Caller, userAgent: String?) -> String {
        let agent = userAgent.map { JobName.prefix($0, bytes: Self.userAgentLimit) }
        if !rules.isEmpty {
            let texts = [caller.program, caller.script, agent].compactMap { $0 }
            if let rule = rules.first(where: { rule in texts.contains(where: rule.matches) }) { return JobName.clean(rule.name) }
        }
        if let script = caller.script { return JobName.clean(script) }
        if let program = caller.program { return JobName.clean(program) }
        if let product = agent.flatMap(Self.product) { return JobName.clean(product) }
        if let uid = caller.uid { return "uid \(uid)" }
        if let address = caller.address { return JobName.clean(address) }
        return JobName.unknown
    }

    /// A User-Agent's first product, without its version: `jwplatform_client-python/2.2.2
    /// python-requests/2.34.2` → `jwplatform_client-python`; nil for an empty one.
    static func product(_ userAgent: String) -> String? {
        let first = userAgent.split(separator: " ").first.flatMap { $0.split(separator: "/").first }
        return first.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}
