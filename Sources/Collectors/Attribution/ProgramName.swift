/// The name a process goes by: its script when its program is an interpreter
/// (`python3 /opt/jobs/nightly-ingest.py --since 1h` → `nightly-ingest.py`, `java -jar
/// sync.jar` → `sync.jar`, `python3 -m jobs.sync` → `jobs.sync`), else its program's
/// (`/usr/local/bin/nightly-sync --token …` → `nightly-sync`). Every other argument is
/// dropped unread: arguments can carry secrets.
enum ProgramName {
    static func of(_ arguments: [String]) -> (program: String, script: String?)? {
        guard let first = arguments.first, !first.isEmpty else { return nil }
        let program = basename(first)
        guard let family = interpreter(program) else { return (program, nil) }
        return (program, script(family, Array(arguments.dropFirst())))
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

    /// The script, module or jar an interpreter runs; nil for code given inline (`-c`, `-e`)
    /// or none found.
    private static func script(_ family: Family, _ arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch (family, argument) {
            case (.python, "-m"), (.java, "-jar"):
                return index + 1 < arguments.count ? basename(arguments[index + 1]) : nil
            case (.python, "-c"), (.node, "-e"), (.node, "--eval"), (.shell, "-c"), (.other, "-e"), (.other, "-r"):
                return nil
            case (.java, "-cp"), (.java, "-classpath"), (.java, "--class-path"), (.java, "-p"), (.java, "--module-path"),
                (.python, "-W"), (.python, "-X"), (.node, "-r"), (.node, "--require"):
                index += 2
                continue
            default:
                if argument.hasPrefix("-") {
                    index += 1
                    continue
                }
                return basename(argument)
            }
        }
        return nil
    }

    /// The last path component (`/opt/jobs/nightly-ingest.py` → `nightly-ingest.py`).
    static func basename(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }
}
