/// The Server-Sent Events wire format, read incrementally (the WHATWG "event stream
/// interpretation"): lines end in LF, CR LF or CR; `id:`, `event:` and `data:` fields; a blank
/// line dispatches; lines starting with `:` are comments. A line longer than `maxLine`, or an
/// event whose `data:` lines add up to more (data lines that never dispatch), is garbage, not
/// a reason to grow memory: the parser says so and stops.
public struct ServerSentEventParser: Sendable {
    public struct Event: Sendable, Equatable {
        public let id: String?
        public let event: String
        public let data: String

        public init(id: String?, event: String, data: String) {
            self.id = id
            self.event = event
            self.data = data
        }
    }

    public enum Output: Sendable, Equatable {
        case event(Event)
        case comment(String)
    }

    public struct Garbled: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static let defaultMaxLine = 4 << 20

    let maxLine: Int
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var id: String?
    private var event: String?
    private var data: [String] = []
    private var dataBytes = 0

    public init(maxLine: Int = ServerSentEventParser.defaultMaxLine) {
        self.maxLine = maxLine
    }

    /// What the bytes complete; a partial line waits for the next call.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(Garbled) -> [Output] {
        var outputs: [Output] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A, 0x0D:
                lastWasCR = byte == 0x0D
                if let output = try take(String(decoding: line, as: UTF8.self)) { outputs.append(output) }
                line.removeAll(keepingCapacity: true)
            default:
                guard line.count < maxLine else {
                    throw Garbled(description: "a line of the event stream runs past \(maxLine) bytes")
                }
                line.append(byte)
            }
        }
        return outputs
    }

    private mutating func take(_ text: String) throws(Garbled) -> Output? {
        if text.isEmpty {
            defer {
                data = []
                dataBytes = 0
                event = nil
            }
            guard !data.isEmpty else { return nil }
            return .event(Event(id: id, event: event ?? "message", data: data.joined(separator: "\n")))
        }
        if text.hasPrefix(":") { return .comment(String(text.dropFirst()).trimmingLeadingSpace) }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "id": id = String(value)
        case "event": event = String(value)
        case "data":
            dataBytes += value.utf8.count + 1
            guard dataBytes <= maxLine else {
                throw Garbled(description: "an event of the stream runs past \(maxLine) bytes of data")
            }
            data.append(String(value))
        default: break
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingLeadingSpace: String { hasPrefix(" ") ? String(dropFirst()) : self }
}
