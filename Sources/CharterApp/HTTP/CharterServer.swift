public import CharterStore
public import CharterUseCases
public import Hummingbird
public import Logging
public import NIOCore
public import PGClient
public import ServiceLifecycle

/// The HTTP side of charterd.
public enum CharterServer {
    /// The routes that are neither the JSON API nor web pages: health, readiness, metrics and the OpenAPI
    /// document itself, all `GET`, unauthenticated, and documented in `openapi.yaml` like the API.
    public static let operationalPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]

    /// Open data outside `/v1`, served with the web pages and documented in `openapi.yaml`: the charter's
    /// outcomes as CSV (SPEC §11), suppressed.
    public static let openDataPaths: Set<String> = ["/outcomes.csv"]

    /// Builds the router: health, readiness, metrics, the OpenAPI document, the JSON API and the web pages.
    ///
    /// `users` signs people in and finds their sessions; tests pass one with a fast password hasher.
    /// `reportQueue` queues the notices flag actions call for (none without one).
    /// `proxies` may name the client in `X-Forwarded-For` (`CHARTERD_TRUSTED_PROXIES`).
    public static func router(
        pool: PGPool, users: UserStore? = nil, reportQueue: ReportQueue? = nil, proxies: TrustedProxies = .none
    ) -> Router<CharterRequestContext> {
        let router = Router(context: CharterRequestContext.self)
        // Before the middleware below creates its metrics, or they would record into nothing.
        CharterMetrics.bootstrap()
        // Outermost, so it counts the status the client gets (after ProblemMiddleware); its dimensions are
        // the matched route pattern (`/v1/flags/{flag}`, never a raw path with ids), method and status, and
        // it costs two dictionary lookups under a lock per request.
        router.add(middleware: MetricsMiddleware())
        // Every request's log lines carry Hummingbird's `hb.request.id` through `context.logger`; this one
        // line per request (method and path, never the query, headers or bodies) shows at
        // CHARTERD_LOG_LEVEL=debug.
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: ClientAddressMiddleware(proxies: proxies))
        let tokens = TokenStore(pool: pool)
        let tokenCache = TokenPrincipalCache()
        let users = users ?? UserStore(pool: pool)
        router.add(
            middleware: Authentication(
                principalForToken: { token in
                    try await tokenCache.principal(for: token) { try await tokens.authenticate($0) }
                },
                sessionForCookie: { try await users.session(cookieValue: $0) }))
        // Liveness: the process is up and serving HTTP.
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        // Readiness: the database answers and its schema is current.
        router.get("/readyz") { _, _ -> Response in
            let (status, text): (HTTPResponse.Status, String)
            do {
                let current = try await pool.withConnection { connection in
                    try await CharterSchema.migrator().status(on: connection).isCurrent
                }
                (status, text) = current ? (.ok, "ready\n") : (.serviceUnavailable, "database schema is not current\n")
            } catch {
                (status, text) = (.serviceUnavailable, "database unavailable\n")
            }
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // Prometheus text format, unauthenticated like /healthz: the TLS proxy must not pass it on
        // (deploy/nginx-charterwatch.conf denies it); scrape charterd's loopback listener directly.
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: CharterMetrics.exposition(pool: pool))))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        CharterAPI.register(
            CharterAPI.routes(pool: pool, tokenCache: tokenCache, reportQueue: reportQueue), on: router)
        CharterAPI.register(CharterAPI.publicRoutes(pool: pool), on: router)
        WebPages.register(on: router, pool: pool, users: users, reportQueue: reportQueue)
        return router
    }

    /// How long a connection may send nothing before it is closed: between requests on a kept-alive
    /// connection, and before a request's head is complete, however slowly it trickles in (a slow-header
    /// client). Browsers and proxies open a new connection when theirs was closed.
    public static let idleTimeout: TimeAmount = .seconds(15)
    /// How long a request body may take beyond one second per `minimumBodyBytesPerSecond` bytes
    /// (`RequestBodyDeadline`): a slow-body client is closed after about this long.
    public static let bodyGrace: TimeAmount = .seconds(15)
    /// The slowest a request body may arrive, averaged from its head on: 1 KiB/s.
    public static let minimumBodyBytesPerSecond = 1024

    /// The application: the router, the listener from `configuration`, and the pool as a service
    /// (listed first, so graceful shutdown stops it after the HTTP server).
    ///
    /// `onListening` is called with the listener's URL once the socket is bound (charterd tells systemd
    /// it is ready then).
    public static func application(
        configuration: CharterConfiguration, pool: PGPool, logger: Logger, services: [any Service] = [],
        users: UserStore? = nil, reportQueue: ReportQueue? = nil,
        onListening: @escaping @Sendable (_ url: String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(
                pool: pool, users: users, reportQueue: reportQueue, proxies: configuration.trustedProxies),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        RequestBodyDeadline(grace: bodyGrace, minimumBytesPerSecond: minimumBodyBytesPerSecond)
                    ],
                    idleTimeout: idleTimeout)),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "charterd"),
            services: [pool] + services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.httpPort
                let url = "http://\(configuration.httpHost):\(port)"
                logger.notice("charterd is listening", metadata: ["url": "\(url)"])
                await onListening(url)
            },
            logger: logger
        )
    }
}
