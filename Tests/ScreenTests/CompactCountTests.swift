import Testing
@testable import Screen

@Suite("Counts shortened as htop and k9s do")
struct CompactCountTests {
    @Test("exact below 10 000, then k, M and G in at most four characters, never rounded up",
          arguments: [
              (0, "0"), (9_999, "9999"), (10_000, "10k"), (390_123, "390k"), (999_999, "999k"), (1_000_000, "1.0M"),
              (3_905_000, "3.9M"), (9_999_999, "9.9M"), (39_050_000, "39M"), (390_500_000, "390M"), (2_100_000_000, "2.1G"),
              (-12_345, "-12k"),
          ])
    func shortened(count: Int, text: String) {
        #expect(CompactCount.text(count) == text)
    }

    @Test("every count up to 999 G fits in four characters")
    func width() {
        var count = 1
        while count < 999_000_000_000 {
            for value in [count, count * 3 - 1, count * 7 + 3] {
                #expect(CompactCount.text(value).count <= 4, "\(value) → \(CompactCount.text(value))")
            }
            count *= 10
        }
    }
}
