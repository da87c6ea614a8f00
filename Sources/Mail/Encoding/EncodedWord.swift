/// RFC 2047 encoded-words for non-ASCII text in headers (Subject, display names, extra headers).
///
/// We use the B (base64) encoding, not Q. B's length is a fixed 4 characters per 3 bytes, so the
/// 75-character limit per word turns into a simple byte budget (45 bytes in a full word) and splitting
/// on character boundaries is exact; Q's length depends on the text and its allowed characters differ
/// between a Subject and a display-name phrase (RFC 2047 §5), which invites subtle bugs. For the text
/// CharterWatch sends — Welsh, Irish and Polish names, CJK company names, emoji — B is also as short
/// or shorter. The cost, unreadable raw headers, matters to no reader.
///
/// A word never splits a UTF-8 sequence (each word must decode on its own, §5); it also keeps a
/// grapheme cluster (é as e + ◌́, a flag, a ZWJ emoji) whole where the cluster fits one word.
enum EncodedWord {
    /// The longest encoded-word RFC 2047 §2 allows.
    static let maximumLength = 75
    private static let prefix = "=?utf-8?B?"
    private static let suffix = "?="

    /// The smallest word limit we honour: room for one 4-byte UTF-8 scalar (8 base64 characters).
    private static let minimumLength = 12 + 8

    /// The encoded-words for `text`, in order; whitespace between them is ignored by decoders, so the
    /// text's own spaces travel inside the words. The first word is at most `firstWordLimit` long (so
    /// it fits after the header name), the others at most 75.
    static func encode(_ text: String, firstWordLimit: Int = maximumLength) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var budget = byteBudget(for: max(minimumLength, min(firstWordLimit, maximumLength)))

        func flush() {
            guard !current.isEmpty else { return }
            words.append(prefix + String(decoding: Base64.encode(current), as: UTF8.self) + suffix)
            current = []
            budget = byteBudget(for: maximumLength)
        }

        for character in text {
            let bytes = Array(character.utf8)
            if current.count + bytes.count <= budget {
                current += bytes
                continue
            }
            flush()
            if bytes.count <= budget {
                current = bytes
                continue
            }
            // A cluster longer than a whole word (long ZWJ sequences): split between its scalars,
            // which still leaves every word valid UTF-8.
            for scalar in character.unicodeScalars {
                let scalarBytes = Array(String(scalar).utf8)
                if current.count + scalarBytes.count > budget { flush() }
                current += scalarBytes
            }
        }
        flush()
        return words
    }

    /// How many bytes fit a word of `length` characters: the base64 payload is what is left after
    /// `=?utf-8?B?` and `?=`, rounded down to whole 4-character groups of 3 bytes.
    static func byteBudget(for length: Int) -> Int {
        (length - prefix.utf8.count - suffix.utf8.count) / 4 * 3
    }
}
