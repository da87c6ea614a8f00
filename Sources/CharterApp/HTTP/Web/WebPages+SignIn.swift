import CharterAccess
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird

extension WebPages {
    static func registerSignIn(on group: RouterGroup<CharterRequestContext>, users: UserStore) {
        group.get("/sign-in") { request, context -> Response in
            let next = WebPage.localPath(request.uri.queryParameters.get("next"))
            if context.principal != nil, context.csrfToken != nil { return WebPage.redirect(to: next ?? "/") }
            return signInPage(request, context: context, next: next)
        }
        group.post("/sign-in") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try SignInFormToken.require(request, form: form)
            let email = form["email"] ?? ""
            let next = WebPage.localPath(form["next"])
            let result = try await users.signIn(
                email: email, password: form.fields["password"] ?? "", remoteAddress: context.remoteAddress)
            switch result {
            case .signedIn(let session):
                var response = WebPage.redirect(to: next ?? "/")
                response.headers.append(HTTPField(name: .setCookie, value: session.cookie().headerValue))
                response.setCookie(SignInFormToken.clearing)
                response.setCookie(WebNotice.signedIn.cookie)
                return response
            case .refused(let refusal):
                var headers: HTTPFields = [:]
                let status: HTTPResponse.Status
                switch refusal.reason {
                case .throttled:
                    status = .tooManyRequests
                    if let until = refusal.retryAfter {
                        headers[.retryAfter] = String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))
                    }
                case .wrongEmailOrPassword, .disabled:
                    status = .unauthorized
                }
                var response = signInPage(
                    request, context: context, next: next, message: refusal.message, email: email, status: status)
                response.headers.append(contentsOf: headers)
                return response
            }
        }
        group.post("/sign-out") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            if let cookie = request.cookies[SessionCookie.defaultName] {
                try await users.signOut(cookieValue: cookie.value)
            }
            var response = WebPage.redirect(
                to: "/sign-in", headers: [.setCookie: SessionCookie.clearing().headerValue])
            response.setCookie(WebNotice.signedOut.cookie)
            return response
        }
    }

    /// The sign-in form, with the token its POST must bring back (`SignInFormToken`) — the one the
    /// browser already holds, so two open sign-in pages both work — and where to go afterwards.
    static func signInPage(
        _ request: Request, context: CharterRequestContext, next: String?, message: String? = nil, email: String = "",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let token = SignInFormToken.current(request) ?? CSRFToken.generate()
        var data: [String: Any] = ["csrf": token.text, "email": email]
        data.setIfPresent("next", next)
        data.setIfPresent("message", message)
        var response = WebPage.render("sign-in", data, context: context, status: status)
        response.setCookie(SignInFormToken.cookie(token))
        return response
    }
}
