@testable import Collectors
import Foundation
import ManagementAPI
import Testing

@Suite struct ProgramNameTests {
    @Test(arguments: [
        (["python3", "/opt/jobs/nightly-ingest.py", "--since", "1h"], "python3", "nightly-ingest.py"),
        (["/usr/bin/python3.12", "-u", "-W", "ignore", "sync.py", "--token=SECRET"], "python3.12", "sync.py"),
        (["python3", "-m", "jobs.sync", "--api-key", "SECRET"], "python3", "jobs.sync"),
        (["java", "-Xmx1g", "-jar", "/srv/sync.jar", "SECRET"], "java", "sync.jar"),
        (["java", "-cp", "lib/*", "com.acme.Sync", "SECRET"], "java", "com.acme.Sync"),
        (["node", "--require", "dotenv/config", "bin/export.js"], "node", "export.js"),
        (["bash", "/etc/cron.daily/jw-report.sh", "SECRET"], "bash", "jw-report.sh"),
        (["php", "artisan", "jw:sync"], "php", "artisan"),
    ])
    func interpretersAreNamedByWhatTheyRun(arguments: [String], program: String, script: String) {
        let names = ProgramName.of(arguments)
        #expect(names?.program == program)
        #expect(names?.script == script)
    }

    @Test(arguments: [
        ["bash", "-lc", "python3 /opt/x.py --token S"], ["sh", "-ec", "curl -H 'Authorization: Bearer S' x"],
        ["python3", "-uc", "import os; print('S')"], ["perl", "-ne", "print 'S'"], ["node", "-pe", "'S'"],
        ["node", "--eval", "S"],
    ])
    func inlineCodeInAClusterIsNoScript(arguments: [String]) {
        #expect(ProgramName.of(arguments)?.script == nil)
        #expect(ProgramName.of(arguments)?.program == arguments[0])
    }

    @Test func anOptionsValueIsNeverTakenForTheScript() {
        #expect(ProgramName.of(["php", "-d", "db.password=S", "job.php"])?.script == "job.php")
        #expect(ProgramName.of(["java", "-Dsecret=S", "-jar", "sync.jar"])?.script == "sync.jar")
        #expect(ProgramName.of(["python3", "--token=S"])?.script == nil)
    }

    @Test func aRewrittenCommandLineFallsBackToTheKernelsName() {
        // setproctitle, process.title, Ruby's $0=: the whole command line in argv[0].
        #expect(ProgramName.of(["job.py --token S"], comm: "python3")! == ("python3", nil))
        #expect(ProgramName.of(["sidekiq 6.5 app [0 of 10 busy]"], comm: "ruby")! == ("ruby", nil))
        #expect(ProgramName.of(["python3", "x.py --token S"], comm: "python3")! == ("python3", nil))
        #expect(ProgramName.of([], comm: "kworker/0:1")! == ("kworker/0:1", nil))
        #expect(ProgramName.of(["a b"], comm: "c d") == nil)
    }

    @Test func aBinaryIsItsOwnNameAndNoArgumentIsKept() {
        let names = ProgramName.of(["/usr/local/bin/nightly-sync", "--secret", "hunter2"])
        #expect(names?.program == "nightly-sync")
        #expect(names?.script == nil)
        #expect(ProgramName.of(["python3", "-c", "import requests; print('hunter2')"])?.script == nil)
        #expect(ProgramName.of([]) == nil)
    }
}

@Suite struct JobNamingTests {
    let caller = Caller(uid: 1000, pid: 42, program: "python3", script: "nightly-ingest.py")

    @Test func theFirstMatchingRuleWinsThenScriptThenProgramThenAgent() throws {
        let rules = [try JobRule(name: "nightly", pattern: "^nightly-"), try JobRule(name: "any-python", pattern: "python")]
        #expect(JobNaming(rules: rules).name(of: caller, userAgent: nil) == "nightly")
        #expect(JobNaming(rules: [try JobRule(name: "by-agent", pattern: "jwplatform_client")])
            .name(of: caller, userAgent: "jwplatform_client-python/2.2.2") == "by-agent")
        #expect(JobNaming().name(of: caller, userAgent: "curl/8") == "nightly-ingest.py")
        #expect(JobNaming().name(of: Caller(uid: 1000, pid: 7, program: "sync"), userAgent: "curl/8") == "sync")
        #expect(JobNaming().name(of: Caller(uid: 1000), userAgent: "jwplatform_client-python/2.2.2 python-requests/2.34.2")
            == "jwplatform_client-python")
        #expect(JobNaming().name(of: Caller(uid: 1001), userAgent: nil) == "uid 1001")
        #expect(JobNaming().name(of: Caller(address: "10.0.0.5"), userAgent: "") == "10.0.0.5")
        #expect(JobNaming().name(of: .unknown, userAgent: nil) == JobName.unknown)
    }

    @Test func hostileNamesAreSanitizedAndCut() {
        let hostile = Caller(uid: 1000, pid: 1, program: "python3", script: "\u{1B}[2Jevil\u{202E}.py" + String(repeating: "x", count: 10_000))
        let name = JobNaming().name(of: hostile, userAgent: nil)
        #expect(!name.unicodeScalars.contains { $0.value == 0x1B || $0 == "\u{202E}" })
        #expect(name.count == JobName.maxLength)
        let agent = String(repeating: "A", count: 8_192) + "/1"
        #expect(JobNaming().name(of: .unknown, userAgent: agent).count == JobName.maxLength)
        // A name of combining marks is one character but thousands of scalars: cut all the same.
        let marks = Caller(uid: 1, pid: 1, program: "a" + String(repeating: "\u{0301}", count: 10_000))
        #expect(JobNaming().name(of: marks, userAgent: nil).unicodeScalars.count == JobName.maxLength)
        // A cut in the middle of a two-byte scalar keeps what comes before it, never nothing.
        let accented = String(repeating: "é", count: 300) + "/1"
        #expect(JobNaming().name(of: .unknown, userAgent: accented).hasPrefix("ééé"))
        #expect(JobName.prefix("aé", bytes: 2) == "a")
    }
}
