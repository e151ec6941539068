import Feed
import Foundation
import Recorder
import Testing
import Wire

@Suite("Recorder: the runtime file")
struct RuntimeFileTests {
    @Test("written under $XDG_RUNTIME_DIR/mapitop, mode 0600, read back while the pid lives, removed")
    func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_RUNTIME_DIR": folder.path + "/run", "XDG_STATE_HOME": folder.path + "/state"]
        let file = RuntimeFile(admin: "127.0.0.1:8788", journal: folder.path + "/state/mapitop/journal.sqlite", config: "/etc/mapitop.toml")
        try file.write(environment: environment)
        let path = folder.path + "/run/mapitop/recorder.json"
        #expect(RuntimeFile.path(environment: environment) == path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(RuntimeFile.read(environment: environment) == file)
        #expect(file.pid == getpid())

        RuntimeFile.remove(environment: environment)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(RuntimeFile.read(environment: environment) == nil)
    }

    @Test("without a runtime folder it goes to $XDG_STATE_HOME/mapitop")
    func stateFallback() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_STATE_HOME": folder.path + "/state"]
        try RuntimeFile(admin: "127.0.0.1:1", journal: StateFolder.defaultJournalPath(environment: environment), config: nil)
            .write(environment: environment)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/state/mapitop/recorder.json"))
        #expect(RuntimeFile.read(environment: environment)?.admin == "127.0.0.1:1")
    }

    @Test("a file whose pid is gone, an unreadable file and a missing file all read as nil")
    func staleOrBroken() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_RUNTIME_DIR": folder.path]
        #expect(RuntimeFile.read(environment: environment) == nil)

        // A pid that surely existed and is now gone: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try RuntimeFile(pid: child.processIdentifier, admin: "127.0.0.1:2", journal: StateFolder.defaultJournalPath(environment: environment),
                        config: nil).write(environment: environment)
        #expect(FileManager.default.fileExists(atPath: RuntimeFile.path(environment: environment)))
        #expect(RuntimeFile.read(environment: environment) == nil)

        try Data("{not json".utf8).write(to: URL(fileURLWithPath: RuntimeFile.path(environment: environment)))
        #expect(RuntimeFile.read(environment: environment) == nil)
    }

    @Test("remove() leaves a file another recorder wrote")
    func removeOnlyOurs() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_RUNTIME_DIR": folder.path]
        try RuntimeFile(pid: getppid(), admin: "127.0.0.1:3", journal: StateFolder.defaultJournalPath(environment: environment), config: nil)
            .write(environment: environment)
        RuntimeFile.remove(environment: environment)
        #expect(RuntimeFile.read(environment: environment)?.pid == getppid())
    }

    @Test("a recorder on another journal has a file of its own: it neither hides nor removes the default journal's")
    func oneFilePerJournal() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_RUNTIME_DIR": folder.path + "/run", "XDG_STATE_HOME": folder.path + "/state"]
        let main = RuntimeFile(pid: getppid(), admin: "127.0.0.1:4", journal: StateFolder.defaultJournalPath(environment: environment), config: nil)
        try main.write(environment: environment)
        let other = RuntimeFile(admin: "127.0.0.1:5", journal: folder.path + "/elsewhere/journal.sqlite", config: nil)
        try other.write(environment: environment)

        #expect(RuntimeFile.read(environment: environment) == main, "the second recorder replaced the default journal's file")
        #expect(RuntimeFile.read(journal: other.journal, environment: environment) == other)
        #expect(RuntimeFile.path(journal: other.journal, environment: environment) != RuntimeFile.path(environment: environment))
        // The same journal named another way is the same recorder.
        #expect(RuntimeFile.path(journal: folder.path + "/state/mapitop/./journal.sqlite", environment: environment)
                == RuntimeFile.path(environment: environment))

        RuntimeFile.remove(journal: other.journal, environment: environment)
        #expect(RuntimeFile.read(journal: other.journal, environment: environment) == nil)
        #expect(RuntimeFile.read(environment: environment) == main)
    }

    @Test("all() lists every live recorder of this user, whatever its journal, and leaves out the dead")
    func allLive() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["XDG_RUNTIME_DIR": folder.path + "/run", "XDG_STATE_HOME": folder.path + "/state"]
        #expect(RuntimeFile.all(environment: environment).isEmpty)
        let main = RuntimeFile(pid: getppid(), admin: "127.0.0.1:4", journal: StateFolder.defaultJournalPath(environment: environment), config: nil)
        try main.write(environment: environment)
        let other = RuntimeFile(admin: "127.0.0.1:5", journal: folder.path + "/srv/journal.sqlite", config: nil)
        try other.write(environment: environment)
        let dead = RuntimeFile(pid: Int32.max, admin: "127.0.0.1:6", journal: folder.path + "/gone/journal.sqlite", config: nil)
        try dead.write(environment: environment)
        #expect(Set(RuntimeFile.all(environment: environment).map(\.admin)) == ["127.0.0.1:4", "127.0.0.1:5"])
    }
}

@Suite("Which recorder a window attaches to")
struct RecorderChoiceTests {
    static let standard = "/home/ops/.local/state/mapitop/journal.sqlite"
    static func recorder(_ journal: String, pid: Int32 = 100) -> RuntimeFile {
        RuntimeFile(pid: pid, admin: "127.0.0.1:\(pid)", journal: journal, config: nil)
    }

    @Test("--journal: that journal's recorder, or recording on it; never the default's")
    func journalAsked() {
        let srv = Self.recorder("/srv/mapitop/journal.sqlite", pid: 7)
        let standard = Self.recorder(Self.standard, pid: 8)
        #expect(LiveRecorder.choose(journal: "/srv/mapitop/./journal.sqlite", live: [standard, srv], defaultJournal: Self.standard)
                == .attach(srv))
        #expect(LiveRecorder.choose(journal: "/tmp/new.sqlite", live: [standard, srv], defaultJournal: Self.standard)
                == .record(journal: "/tmp/new.sqlite"))
    }

    @Test("no --journal: the default journal's recorder first, else the only live one, else several are named")
    func noJournalAsked() {
        let srv = Self.recorder("/srv/mapitop/journal.sqlite", pid: 7)
        let other = Self.recorder("/data/journal.sqlite", pid: 9)
        let standard = Self.recorder(Self.standard, pid: 8)
        #expect(LiveRecorder.choose(journal: nil, live: [srv, standard, other], defaultJournal: Self.standard) == .attach(standard))
        #expect(LiveRecorder.choose(journal: nil, live: [srv], defaultJournal: Self.standard) == .attach(srv))
        #expect(LiveRecorder.choose(journal: nil, live: [srv, other], defaultJournal: Self.standard) == .several([srv, other]))
        #expect(LiveRecorder.choose(journal: nil, live: [], defaultJournal: Self.standard) == .record(journal: nil))
    }
}
