import CompressNIO
import NIOCore
import Synchronization

/// gzip for tests: what a compressing gateway would send.
public enum TestGzip {
    /// One gzip member of `bytes`.
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        return Array(try input.compress(with: .gzip()).readableBytesView)
    }

    /// A gzip bomb: `decodedSize` bytes of zeros (rounded down to whole MiB) in about a
    /// thousandth of that, made one MiB at a time so the test never holds the decoded size.
    /// Made once per size and process, off Swift's cooperative threads: deflating 256 MiB is
    /// a second of CPU that the other tests of the run would otherwise wait behind.
    public static func bomb(decodedSize: Int) async throws -> [UInt8] {
        if let made = bombs.withLock({ $0[decodedSize] }) { return made }
        let made = try await Blocking.run { try makeBomb(decodedSize: decodedSize) }
        bombs.withLock { $0[decodedSize] = made }
        return made
    }

    private static let bombs = Mutex<[Int: [UInt8]]>([:])

    private static func makeBomb(decodedSize: Int) throws -> [UInt8] {
        let compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .bestCompression))
        let chunks = max(decodedSize >> 20, 1)
        var output = ByteBufferAllocator().buffer(capacity: chunks * 2_048 + 4_096)
        let zeros = ByteBuffer(repeating: 0, count: 1 << 20)
        for index in 0..<chunks {
            var chunk = zeros
            try compressor.deflate(from: &chunk, to: &output, flush: index == chunks - 1 ? .finish : .no)
        }
        return Array(output.readableBytesView)
    }
}
