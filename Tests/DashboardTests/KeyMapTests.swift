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

    @Test("? draws the help overlay from the bindings: every binding's keys and text are on screen, arrows from the glyphs")
    func helpOnScreen() {
        for glyphs in [Glyphs.unicode, .ascii] {
            var state = World.state(width: 140, height: 45, glyphs: glyphs)
            state = update(state, .key(.character("?"))).state
            let screen = DashboardView.render(state).lines.joined(separator: "\n")
            for binding in KeyMap.bindings {
                let keys = binding.label.replacingOccurrences(of: "{up}", with: glyphs.arrowUp)
                    .replacingOccurrences(of: "{down}", with: glyphs.arrowDown)
                #expect(screen.contains(keys) && screen.contains(binding.help), "\(keys) \(binding.help) is not in the help:\n\(screen)")
            }
            #expect(!screen.contains("{up}") && !screen.contains("{down}"), "a placeholder reached the screen")
        }
    }

    @Test("the hint bar is the bindings' hints, in order, with the current sort")
    func hintBar() {
        #expect(KeyMap.hints(sort: "usage")
            == " / filter  Enter expand  Tab pane  1 2 3 view  t token  c code  [ ] time  Z pause  s sort(usage)  T theme  q quit")
    }
}
