/// The name a process goes by: its script when its program is an interpreter
/// (`python3 /opt/jobs/nightly-ingest.py --since 1h` → `nightly-ingest.py`, `java -jar
/// sync.jar` → `sync.jar`, `python3 -m jobs.sync` → `jobs.sync`), else its program's
/// (`/usr/local/bin/nightly-sync --token …` → `nightly-sync`). Every other argument is
/// dropped unread: arguments can carry secrets. So is a name that looks like more than a
/// name (spaces, `=`: a process that rewrote its argv[0] into a whole command line, or an
/// option's value taken for a script); then the kernel's 15-byte `comm` names the program.
enum ProgramName {
    static func of(_ arguments: [String], comm: String? = nil) -> (program: String, script: String?)? {
        let fallback = comm.flatMap { isName($0) ? $0 : nil }
        guard let first = arguments.first, !first.isEmpty else { return fallback.map { ($0, nil) } }
        let program = basename(first)
        guard isName(program) else { return fallback.map { ($0, nil) } }
        guard let family = interpreter(program) else { return (program, nil) }
        return (program, script(family, Array(arguments.dropFirst())).flatMap { isName($0) ? $0 : nil })
    }

    enum Family { case python, java, node, shell, other }

    /// Interpreters whose first operand names what they run.
    static func interpreter(_ program: String) -> Family? {
        if program.hasPrefix("python") || program == "pypy" || program == "pypy3" { return .python }
        if program == "java" { return .java }
        if ["node", "nodejs", "deno", "bun"].contains(program) { return .node }
        if ["sh", "bash", "dash", "zsh", "ksh", "fish"].contains(program) { return .shell }
        if program.hasPrefix("ruby") || program.hasPrefix("perl") || program.hasPrefix("php") || program == "Rscript" {
            return .other
        }
        return nil
    }

    /// The letters of a short option that mean "the code follows inline" (`-c`, `-e`, and in
    /// a cluster: `bash -lc`, `python3 -uc`, `perl -ne`).
    private static func inlineLetters(_ family: Family) -> Set<Character> {
        switch family {
        case .python, .shell: ["c"]
        case .node: ["e", "p"]
        case .other: ["e", "r", "E", "n"]
        case .java: []
        }
    }

    /// Short options that take the next argument as their value.
    private static func valued(_ family: Family) -> Set<String> {
        switch family {
        case .python: ["-W", "-X", "-Q"]
        case .java: ["-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules", "-D"]
        case .node: ["-r", "--require", "--import", "--loader"]
        case .shell: ["-o", "-O", "+O"]
        case .other: ["-d", "-c", "-I", "-r", "-E"]
        }
    }

    /// The script, module or jar an interpreter runs; nil for code given inline or none found.
    private static func script(_ family: Family, _ arguments: [String]) -> String? {
        let inline = inlineLetters(family)
        let valued = valued(family)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if (family == .python && argument == "-m") || (family == .java && argument == "-jar") {
                return index + 1 < arguments.count ? basename(arguments[index + 1]) : nil
            }
            if argument == "--" {
                return index + 1 < arguments.count ? basename(arguments[index + 1]) : nil
            }
            if argument.hasPrefix("--") {
                if argument == "--eval" || argument == "--print" || argument == "--command" { return nil }
                index += valued.contains(argument) ? 2 : 1
                continue
            }
            if argument.hasPrefix("-") || argument.hasPrefix("+") {
                if argument.dropFirst().contains(where: inline.contains) { return nil }
                index += valued.contains(argument) ? 2 : 1
                continue
            }
            return basename(argument)
        }
        return nil
    }

    /// A name, not a command line or an assignment: no whitespace, no `=`, not empty.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("=") && !text.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// The last path component (`/opt/jobs/nightly-ingest.py` → `nightly-ingest.py`).
    static func basename(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }
}
