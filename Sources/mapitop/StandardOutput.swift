#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum StandardOutput {
    /// Headless commands print one line per event; a pipe would otherwise hold them in a
    /// 4 KiB buffer until exit, which defeats `| grep` and log shippers.
    static func useLineBuffering() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
