import CharterAccess
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird

extension WebPages {
    static func registerSignIn(on group: RouterGroup<CharterRequestContext>, users: UserStore) {
        group.get("/sign-in") { _, context -> Response in
            if context.principal != nil, context.csrfToken != nil { return WebPage.redirect(to: "/") }
            return WebPage.render("sign-in", [:], context: context)
        }
        group.post("/sign-in") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            let email = form["email"] ?? ""
            let result = try await users.signIn(
                email: email, password: form.fields["password"] ?? "", remoteAddress: context.remoteAddress)
            switch result {
            case .signedIn(let session):
                return WebPage.redirect(to: "/", headers: [.setCookie: session.cookie().headerValue])
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
                var response = WebPage.render(
                    "sign-in", ["message": refusal.message, "email": email], context: context, status: status)
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
            return WebPage.redirect(to: "/sign-in", headers: [.setCookie: SessionCookie.clearing().headerValue])
        }
    }
}
