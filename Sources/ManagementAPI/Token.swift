/// One API token: the label the user gave it and its secret. Describing, dumping or
/// encoding a token shows the label and the fingerprint, never the secret.
public struct Token: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    public let label: String
    public let secret: Secret

    public init(label: String, secret: Secret) {
        self.label = label
        self.secret = secret
    }

    public var fingerprint: Fingerprint { secret.fingerprint }
    public var reference: TokenReference { TokenReference(fingerprint: fingerprint, label: label) }

    public var description: String { "\(label) (\(fingerprint))" }
    public var debugDescription: String { "Token(label: \(label), fingerprint: \(fingerprint))" }
    public var customMirror: Mirror {
        Mirror(self, children: ["label": label, "fingerprint": fingerprint.description], displayStyle: .struct)
    }

    private enum CodingKeys: String, CodingKey { case label, fingerprint }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(fingerprint.description, forKey: .fingerprint)
    }
}

/// What a record says about the token that made a call: always the fingerprint, the label
/// when the configuration knows the secret.
public struct TokenReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public let fingerprint: Fingerprint
    public let label: String?

    public init(fingerprint: Fingerprint, label: String?) {
        self.fingerprint = fingerprint
        self.label = label
    }

    /// The label, or `#fingerprint` for a token the configuration does not name.
    public var displayName: String { label ?? fingerprint.description }
    public var description: String { displayName }
}

extension TokenReference {
    /// The row that tokens past the monitor's and the journal's caps on unknown tokens count in. Its
    /// fingerprint is not hex, so no secret's fingerprint can be it.
    public static let other = TokenReference(fingerprint: Fingerprint(hex: "other"), label: "other")
}
