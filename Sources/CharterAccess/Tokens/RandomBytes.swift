/// Secret random bytes for tokens and salts.
enum RandomBytes {
    /// `count` bytes from the system's cryptographically secure generator.
    ///
    /// `SystemRandomNumberGenerator` is documented as cryptographically secure on every platform
    /// (`getrandom(2)` on Linux, `arc4random_buf` on Darwin), which is what a secret needs.
    static func generate(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
