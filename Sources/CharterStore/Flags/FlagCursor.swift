import CharterAccess

/// Where the next page of a flag list starts: below the last flag id the previous page showed.
///
/// Opaque to callers (base64url of `before:<id>`), so the API can change what it holds without
/// breaking clients that only pass it back.
struct FlagCursor: Hashable {
    /// The next page lists flags with ids below this.
    var beforeID: Int64

    init(beforeID: Int64) {
        self.beforeID = beforeID
    }

    /// Reads a cursor that `text` gave out; anything else is refused.
    init(text: String) throws(CharterStoreError) {
        guard text.utf8.count <= 64, let bytes = Base64URL.decode(text),
            let plain = String(validating: bytes, as: UTF8.self), plain.hasPrefix("before:"),
            case let digits = plain.dropFirst("before:".count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let id = Int64(digits), id > 0
        else {
            throw CharterStoreError(
                .invalid, "the cursor is not one a flag list gave out; start again from the first page")
        }
        beforeID = id
    }

    /// The cursor as callers pass it back.
    var text: String { Base64URL.encode("before:\(beforeID)".utf8) }
}
