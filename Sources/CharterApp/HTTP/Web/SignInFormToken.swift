import CharterAccess
import HTTPTypes
import Hummingbird

/// The sign-in form's protection against cross-site requests (login CSRF), before there is a session.
///
/// Without it another site could post its own email and password to `/sign-in` from the victim's
/// browser, signing the victim into the attacker's account. Serving the sign-in page sets a random token
/// in a `__Host-` cookie (`Secure`, `Path=/`, no `Domain`, so no other site or sibling subdomain can set
/// it; `SameSite=Strict`, so no other site's form makes the browser send it) and the same token in the
/// form's hidden field; the POST is refused unless both are there and equal (compared in constant time).
/// A browser that says the POST came from another site (`Sec-Fetch-Site`) is refused as well.
enum SignInFormToken {
    /// The cookie's name.
    static let cookieName = "__Host-charterwatch_sign_in"

    /// How long the sign-in page's token lasts: an hour to type an email and password.
    static let maxAge = 3_600

    /// The sentence of the 403 page, the same as for a session form's missing token.
    static let refusal =
        "This form's security token is missing or out of date, so nobody was signed in. Go back, reload the page and try again."

    /// The token the browser already holds, or nil when it holds none (or junk).
    static func current(_ request: Request) -> CSRFToken? {
        request.cookies[cookieName].flatMap { CSRFToken($0.value) }
    }

    /// The `Set-Cookie` that hands `token` to the browser with the sign-in page.
    static func cookie(_ token: CSRFToken) -> Cookie {
        Cookie(
            name: cookieName, value: token.text, maxAge: maxAge, path: "/", secure: true, httpOnly: true,
            sameSite: .strict)
    }

    /// The `Set-Cookie` that forgets the token once someone has signed in.
    static var clearing: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// Throws 403 unless the form's `csrf_token` equals the cookie's token and the browser does not say
    /// the request came from another site.
    static func require(_ request: Request, form: WebForm, refusal: String = refusal) throws {
        let site = request.headers[.secFetchSite]?.lowercased()
        guard site == nil || site == "same-origin" || site == "none",
            let expected = current(request), expected.matches(form.fields["csrf_token"])
        else {
            throw Problem(.forbidden, refusal)
        }
    }
}

extension HTTPField.Name {
    /// Which site a browser says a request came from (Fetch Metadata): `same-origin`, `same-site`,
    /// `cross-site`, or `none` for one the person started themselves.
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
