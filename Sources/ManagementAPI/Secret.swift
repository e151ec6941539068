import Crypto
import Foundation

/// An API secret. It never describes, dumps, encodes or logs its value: the only way to
/// read it is `revealForAuthorization()`, which the request builder and the tap call.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// `#` + the first 8 hex digits of SHA-256 of the secret (DESIGN.md section 4).
    public var fingerprint: Fingerprint { Fingerprint(secretValue: value) }

    public var isEmpty: Bool { value.isEmpty }

    /// The raw value, for an `Authorization` header only.
    public func revealForAuthorization() -> String { value }

    public var description: String { "<secret \(fingerprint)>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The public identity of a secret: safe to show, log and store.
public struct Fingerprint: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Eight lowercase hex digits.
    public let hex: String

    public init(secretValue: String) {
        let digest = SHA256.hash(data: Data(secretValue.utf8))
        hex = digest.prefix(4).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// For decoding records and tests; not validated beyond being kept as given.
    public init(hex: String) {
        self.hex = hex
    }

    public var description: String { "#" + hex }

    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.hex < rhs.hex }
}
