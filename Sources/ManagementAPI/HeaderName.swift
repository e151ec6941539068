/// Header names compared as HTTP compares them, without a lowercased copy of each: the tap
/// compares every header of every call it forwards, both ways.
public enum HeaderName {
    /// Whether `name` equals `lowercase` (a lowercase header name) ignoring ASCII case.
    public static func matches(_ name: String, _ lowercase: String) -> Bool {
        guard name.utf8.count == lowercase.utf8.count else { return false }
        // Native strings (all that NIO's parser makes) compare as byte buffers; iterating two
        // UTF-8 views in step cost several times more.
        let compared = name.utf8.withContiguousStorageIfAvailable { bytes in
            lowercase.utf8.withContiguousStorageIfAvailable { lowers in
                for index in 0..<bytes.count where !same(bytes[index], lowers[index]) { return false }
                return true
            }
        }
        if let compared = compared ?? nil { return compared }
        return zip(name.utf8, lowercase.utf8).allSatisfy(same)
    }

    /// Setting bit 5 lowercases an ASCII letter and leaves digits and '-' as they are; a byte
    /// that only matches with it set must be a letter's upper case.
    private static func same(_ byte: UInt8, _ lower: UInt8) -> Bool {
        byte == lower || (byte | 0x20 == lower && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
    }

    /// Whether `name` is one of `lowercases`, ignoring ASCII case.
    public static func isAny(_ name: String, of lowercases: [String]) -> Bool {
        lowercases.contains { matches(name, $0) }
    }
}

extension StringProtocol where SubSequence == Substring {
    /// Without spaces and tabs at either end (a header value's optional whitespace), in Swift:
    /// Foundation's `trimmingCharacters` bridges through NSString, too slow for every call.
    public var trimmingSpaces: Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
