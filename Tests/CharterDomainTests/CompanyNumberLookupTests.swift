import CharterDomain
import Testing

@Suite("Looking a company up by the number someone typed")
struct CompanyNumberLookupTests {
    @Test func anyCaseSpacingAndDashesReadAsTheNumber() {
        for typed in ["SC123456", "sc123456", " sc 123 456 ", "SC-123-456", "s c\t1 2 3 4 5 6"] {
            #expect(CompanyNumber(lookup: typed)?.value == "SC123456", "\(typed)")
        }
    }

    @Test func anAllDigitNumberMayLeaveOffItsLeadingZeros() {
        #expect(CompanyNumber(lookup: "1234567")?.value == "01234567")
        #expect(CompanyNumber(lookup: "123456")?.value == "00123456")
        // Fewer than six digits is too short to be meant; letters are never padded.
        #expect(CompanyNumber(lookup: "12345") == nil)
        #expect(CompanyNumber(lookup: "SC12345") == nil)
    }

    @Test func whatCannotBeANumberIsNone() {
        for typed in ["", "   ", "ABCDEFGH", "123456789", "SC1234567", "S1234567"] {
            #expect(CompanyNumber(lookup: typed) == nil, "\(typed)")
        }
    }
}
