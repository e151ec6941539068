import Testing
@testable import Screen

@Suite("Colours")
struct ColorTests {
    @Test("256 → 8 colour mapping picks the nearest basic colour")
    func nearest8() {
        #expect(ColorMapping.nearest8(ofIndex: 196) == 1)  // bright red → red
        #expect(ColorMapping.nearest8(ofIndex: 46) == 2)  // bright green → green
        #expect(ColorMapping.nearest8(ofIndex: 21) == 4)  // blue → blue
        #expect(ColorMapping.nearest8(ofIndex: 231) == 7)  // white → white
        #expect(ColorMapping.nearest8(ofIndex: 232) == 0)  // darkest grey → black
        #expect(ColorMapping.nearest8(ofIndex: 11) == 3)  // bright yellow → yellow
    }

    @Test("RGB → 256 and the curses colour for 256, 8 and no colours")
    func cursesColors() {
        #expect(ColorMapping.nearest256(255, 0, 0) == 196)
        #expect(ColorMapping.nearest256(0x80, 0x80, 0x80) == 244)
        #expect(ColorMapping.cursesColor(.rgb(255, 0, 0), colors: 256) == 196)
        #expect(ColorMapping.cursesColor(.rgb(255, 0, 0), colors: 8) == 1)
        #expect(ColorMapping.cursesColor(.indexed(214), colors: 0) == -1)
        #expect(ColorMapping.cursesColor(.default, colors: 256) == -1)
    }

    @Test("mono drops colours but keeps bold and reverse")
    func monochrome() {
        let mono = Theme.builtInDefault.monochrome
        for role in Role.allCases {
            let style = mono.style(for: role)
            #expect(style.foreground == .default && style.background == .default)
            #expect(style.bold == Theme.builtInDefault.style(for: role).bold)
            #expect(style.reverse == Theme.builtInDefault.style(for: role).reverse)
        }
        #expect(mono.style(for: .selection).reverse)
        #expect(mono.style(for: .error).bold)
    }
}
