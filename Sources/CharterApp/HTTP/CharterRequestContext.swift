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

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// JSON bodies are small (a return's header with its lines is streamed as CSV instead); 4 MiB.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}
