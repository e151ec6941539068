import Foundation
import Testing
@testable import Simulator

/// The simulator's own JSON writer gives the bytes Foundation's JSONSerialization gives
/// (sorted keys, slashes unescaped), for every kind of value the routes build and for the
/// hostile strings a caller can put in a body that comes back in an answer.
@Suite("Simulator: JSON bytes")
struct JSONEncodingTests {
    static func foundation(_ value: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    @Test("the same bytes as Foundation's JSONSerialization")
    func sameBytes() throws {
        let hostile = "quote \" backslash \\ slash / tab \t nl \n cr \r bs \u{08} ff \u{0C} esc \u{1B} nul \u{00} del \u{7F} c1 \u{9B} é 🦜 \u{202E}"
        let decoded = try JSONSerialization.jsonObject(with: Data(#"{"n":12,"f":1.5,"t":true,"z":null,"s":"x"}"#.utf8))
        let values: [Any] = [
            ["errors": [["code": "too_long", "description": hostile]]],
            ["media": [["id": "abc", "metadata": ["title": hostile, "tags": [String]()], "external": false, "size": 0]],
             "page": 1, "page_length": 10, "total": 541],
            ["b": 1, "a": [1, 2, 3], "c": ["z": "y", "y": "z"], "empty": [String: Any](), "list": [Any]()],
            ["echoed": decoded],
        ]
        for value in values {
            #expect(JSON.encode(value) == Self.foundation(value), "\(String(decoding: JSON.encode(value), as: UTF8.self))")
        }
    }
}

@Suite("Simulator: the secret of an Authorization header")
struct AuthorizationSecretTests {
    @Test("Bearer in any case, blanks around, or the bare secret the service also takes; nothing is nothing")
    func secrets() {
        #expect(SimulatedAPI.secret(from: "Bearer s3cret") == "s3cret")
        #expect(SimulatedAPI.secret(from: "  bEaReR \t s3cret \t") == "s3cret")
        #expect(SimulatedAPI.secret(from: "s3cret") == "s3cret")
        #expect(SimulatedAPI.secret(from: "\ts3cret ") == "s3cret")
        // A scheme with nothing after it is the bare word, a secret no token has: a 401.
        #expect(SimulatedAPI.secret(from: "Bearer ") == "Bearer")
        #expect(SimulatedAPI.secret(from: "   ") == nil)
        #expect(SimulatedAPI.secret(from: nil) == nil)
    }
}
