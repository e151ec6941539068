
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
        var failure: Garbled?
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(Garbled) { try feed(buffer, into: &outputs) } catch { failure = error }
        }
        if contiguous == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in
                do throws(Garbled) { try feed(buffer, into: &outputs) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        return outputs
    }

    /// Line ends are searched for and the text between them taken whole, not a byte at a time:
    /// a window reads megabytes of events a second.
    private mutating func feed(_ buffer: UnsafeBufferPointer<UInt8>, into outputs: inout [Output]) throws(Garbled) {
        var start = 0
        if lastWasCR, start < buffer.count {
            lastWasCR = false
            if buffer[start] == 0x0A { start += 1 }
        }
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            try append(UnsafeBufferPointer(rebasing: buffer[start..<index]))
            if let output = try take(String(decoding: line, as: UTF8.self)) { outputs.append(output) }
            line.removeAll(keepingCapacity: true)
            index += 1
            if byte == 0x0D {
                if index < buffer.count {
                    if buffer[index] == 0x0A { index += 1 }
                } else {
                    lastWasCR = true
                }
            }
            start = index
        }
        try append(UnsafeBufferPointer(rebasing: buffer[start..<buffer.count]))
    }

    private mutating func append(_ part: UnsafeBufferPointer<UInt8>) throws(Garbled) {
        guard line.count + part.count <= maxLine else {
            throw Garbled(description: "a line of the event stream runs past \(maxLine) bytes")
        }
        line.append(contentsOf: part)
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
