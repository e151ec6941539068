@testable import Feed
import NIOCore
import Testing

/// `/v1/calls` streamed into lines: lines split anywhere across chunks come out whole, and a
/// line that never ends is cut at `maxLine`, not held without bound.
@Suite("Feed: /v1/calls lines")
struct LineSplitterTests {
    @Test("lines split across chunks at every place come out whole, each once")
    func splitAnywhere() {
        let text = "{\"a\":1}\n{\"b\":22}\n\n{\"c\":333}"
        for cut in 0...text.utf8.count {
            var splitter = LineSplitter()
            let bytes = Array(text.utf8)
            var lines = splitter.add(ByteBuffer(bytes: bytes[..<cut]))
            lines += splitter.add(ByteBuffer(bytes: bytes[cut...]))
            if let last = splitter.finish() { lines.append(last) }
            #expect(lines == ["{\"a\":1}", "{\"b\":22}", "", "{\"c\":333}"], "cut at \(cut)")
        }
    }

    @Test("a line past the limit is cut there; the next line is whole")
    func cut() {
        var splitter = LineSplitter()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: LineSplitter.maxLine + 1_000)
        var lines = splitter.add(ByteBuffer(bytes: long))
        lines += splitter.add(ByteBuffer(string: "\nnext\n"))
        #expect(lines.count == 2)
        #expect(lines.first?.utf8.count == LineSplitter.maxLine)
        #expect(lines.last == "next")
    }
}
