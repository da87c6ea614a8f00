/// The `Set-Cookie` header value that gives a browser its session, or takes it away (SPEC §8).
///
/// Always `Path=/; HttpOnly; Secure; SameSite=Strict`: scripts cannot read it, it never travels over
/// plain HTTP, and other sites cannot make the browser send it. The default name carries the
/// `__Host-` prefix, with which browsers refuse the cookie unless it is `Secure`, has `Path=/` and no
/// `Domain` — so a sibling subdomain cannot plant or overwrite it. Browsers treat `localhost` and
/// `127.0.0.1` as secure, so the cookie also works on a local `http://` listener.
///
/// `description` hides the value.
public struct SessionCookie: Sendable, Hashable, CustomStringConvertible {
    /// The cookie name unless one is given.
    public static let defaultName = "__Host-charterwatch_session"

    /// The cookie name.
    public let name: String
    /// The cookie value: a session token's text, or empty when clearing.
    public let value: String
    /// How long the browser keeps the cookie, in seconds; 0 deletes it.
    public let maxAge: Int

    /// The cookie that carries `token` for `maxAge` seconds.
    ///
    /// - Precondition: `name` is an RFC 6265 token and `maxAge` is not negative.
    public init(name: String = SessionCookie.defaultName, token: SessionToken, maxAge: Int) {
        self.init(name: name, value: token.text, maxAge: maxAge)
    }

    /// The cookie that makes the browser forget its session (empty value, `Max-Age=0`), for sign-out.
    public static func clearing(name: String = SessionCookie.defaultName) -> SessionCookie {
        SessionCookie(name: name, value: "", maxAge: 0)
    }

    private init(name: String, value: String, maxAge: Int) {
        precondition(!name.isEmpty && name.utf8.allSatisfy(Self.isTokenByte), "not a cookie name: \(name)")
        precondition(maxAge >= 0, "a cookie's Max-Age is not negative")
        self.name = name
        self.value = value
        self.maxAge = maxAge
    }

    /// The value of the `Set-Cookie` header.
    public var headerValue: String {
        "\(name)=\(value); Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=\(maxAge)"
    }

    public var description: String {
        "\(name)=\(value.isEmpty ? "" : "…"); Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=\(maxAge)"
    }

    /// Whether `byte` may appear in a cookie name (an RFC 7230 `tchar`).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
