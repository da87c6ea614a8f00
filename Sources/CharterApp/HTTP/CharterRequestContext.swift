public import CharterAccess
public import Hummingbird

/// The context of one request to charterd: Hummingbird's core plus who is asking.
///
/// `principal` is set by `Authentication` from an API token (or, for web pages, a session cookie);
/// nil means nobody has signed in. Routes never look at credentials themselves.
public struct CharterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is asking; nil before `Authentication` or when no credentials came with the request.
    public var principal: Principal?
    /// The CSRF token of the session, when `principal` came from a session cookie (web pages); nil
    /// for API tokens. Every state-changing form must carry it.
    public var csrfToken: CSRFToken?
    /// The signed-in user's name for the pages' header; nil for API tokens.
    public var signedInName: String?
    /// The client's IP address, for sign-in throttling: the TCP peer's, or the one a trusted proxy
    /// passed on (`ClientAddressMiddleware`); nil when unknown.
    public var remoteAddress: String?
    /// What the last form a web page sent did, from its notice cookie (`WebNoticeMiddleware`), for the
    /// next page to say; nil when there is nothing to say.
    var webNotice: WebNotice?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are small (a return's header with its lines is streamed as CSV instead); 4 MiB.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}
