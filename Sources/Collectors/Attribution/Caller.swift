/// What the tap learned about who is on the other end of a job connection, once per
/// connection (DESIGN.md section 12). Only names are kept: never a command line's
/// arguments, which can carry secrets.
public struct Caller: Sendable, Hashable {
    /// The socket's owner, from the kernel's socket table; nil off loopback or when the
    /// socket was gone before it was read.
    public var uid: UInt32?
    public var pid: Int32?
    /// The program's name (`python3`, `java`, `nightly-sync`); nil when the process could not be read.
    public var program: String?
    /// The script, jar or module the program runs (`nightly-ingest.py`, `sync.jar`).
    public var script: String?
    /// The peer's address, for a connection from off this machine.
    public var address: String?

    public init(uid: UInt32? = nil, pid: Int32? = nil, program: String? = nil, script: String? = nil, address: String? = nil) {
        self.uid = uid
        self.pid = pid
        self.program = program
        self.script = script
        self.address = address
    }

    public static let unknown = Caller()
}
