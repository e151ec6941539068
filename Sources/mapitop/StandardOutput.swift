#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum StandardOutput {
    /// Headless commands print one line per event; on a pipe stdout is block-buffered and
    /// would hold lines back until exit, which defeats `| grep` and log shippers. Flushing
    /// all streams (`fflush(nil)`) avoids touching the non-Sendable `stdout` global.
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// A line of a batch (the tap's calls): it waits in stdio's buffer until `flush()`, so a
    /// busy tap makes one write per batch instead of one per call.
    static func batched(_ text: String) {
        print(text)
    }

    static func flush() {
        fflush(nil)
    }
}
