import ManagementAPI

/// The `token` label of every series: the configured label, or `#fingerprint` for a token the
/// configuration does not name. Past `maxUnknown` such tokens the rest share `token="other"`,
/// the same rule and cap as the monitor's rows, so a flood of bogus secrets through the tap
/// cannot grow the number of series (DESIGN.md section 10).
struct TokenLabels: Sendable {
    static let other = "other"

    let maxUnknown: Int
    /// A name, once given, stays: every series of a token keeps one label value.
    private var names: [Fingerprint: String] = [:]
    private var unknown = 0

    init(maxUnknown: Int) {
        self.maxUnknown = max(0, maxUnknown)
    }

    /// A configured token: named from the start, never counted against the cap.
    mutating func register(_ reference: TokenReference) {
        names[reference.fingerprint] = reference.displayName
    }

    mutating func name(for reference: TokenReference) -> String {
        if let name = names[reference.fingerprint] { return name }
        guard unknown < maxUnknown else { return Self.other }
        unknown += 1
        names[reference.fingerprint] = reference.displayName
        return reference.displayName
    }

    /// The name already given to a fingerprint, without naming a new one.
    func existingName(for fingerprint: Fingerprint) -> String? { names[fingerprint] }
}
