@testable import Dashboard
import Screen
import Testing

/// The key map is defined once (`KeyMap.bindings`): `update`, the hint bar and the help
/// overlay read it, so a key cannot do one thing and be described as another.
@Suite("Key map: each binding defined once")
struct KeyMapTests {
    @Test("no key is bound twice")
    func unique() {
        let keys = KeyMap.bindings.flatMap { $0.keys.map(\.key) }
        #expect(Set(keys).count == keys.count, "\(keys)")
    }

    @Test("every binding's keys run its commands through update, and the help overlay lists each binding")
    func helpMatchesBindings() {
        let help = KeyMap.help(.ascii)
        for binding in KeyMap.bindings {
            #expect(help.contains { $0.action == binding.help }, "\(binding.help) is missing from the help")
            for (key, command) in binding.keys { #expect(KeyMap.command(for: key) == command) }
        }
        #expect(!help.contains { $0.keys.contains("{") && $0.keys.contains("up}") }, "a placeholder reached the help")
    }

    @Test("the hint bar is the bindings' hints, in order, with the current sort")
    func hintBar() {
        #expect(KeyMap.hints(sort: "usage")
            == " / filter  Enter expand  Tab pane  t token  c code  [ ] time  Z pause  s sort(usage)  T theme  q quit")
    }
}
