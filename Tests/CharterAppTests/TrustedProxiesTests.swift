import CharterAccess
import CharterApp
import CharterStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PGClient
import Testing

/// Behind nginx every request comes from 127.0.0.1: sign-in throttling must see the client nginx saw,
/// and only when the peer is a proxy the operator trusts.
@Suite("Client address behind a trusted proxy", .timeLimit(.minutes(10)))
struct TrustedProxiesTests {
    static let local = try! TrustedProxies(parsing: "127.0.0.1, ::1")

    @Test func anUntrustedPeerIsTheClientWhateverItsHeaderSays() {
        #expect(Self.local.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.7"]) == "203.0.113.9")
        #expect(TrustedProxies.none.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"]) == "127.0.0.1")
        #expect(Self.local.clientAddress(peer: nil, forwardedFor: ["198.51.100.7"]) == nil)
    }

    @Test func aTrustedProxyNamesTheClientItSaw() {
        #expect(Self.local.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
        #expect(Self.local.clientAddress(peer: "::1", forwardedFor: ["2001:db8::7"]) == "2001:db8::7")
        // A dual-stack listener reports IPv4 peers IPv4-mapped.
        #expect(Self.local.clientAddress(peer: "::ffff:127.0.0.1", forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
        #expect(Self.local.clientAddress(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
    }

    @Test func whatTheClientWroteItselfIsSkipped() {
        // nginx appends the address it saw; whatever the client sent stands to its left.
        #expect(
            Self.local.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.9.9.9, 127.0.0.1, 198.51.100.7"])
                == "198.51.100.7")
        let chain = try! TrustedProxies(parsing: "127.0.0.1,10.0.0.0/8")
        #expect(
            chain.clientAddress(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7", "10.1.2.3"])
                == "198.51.100.7")
        // Everything trusted: the first hop.
        #expect(chain.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.1.2.3, 10.4.5.6"]) == "10.1.2.3")
        // Something unreadable behind a trusted hop: that hop, not the garbage.
        #expect(chain.clientAddress(peer: "127.0.0.1", forwardedFor: ["unknown, 10.4.5.6"]) == "10.4.5.6")
        // One client, one address, however a proxy spelt it.
        #expect(Self.local.clientAddress(peer: "127.0.0.1", forwardedFor: ["[2001:DB8:0::7]"]) == "2001:db8::7")
        #expect(Self.local.clientAddress(peer: "127.0.0.1", forwardedFor: ["::ffff:198.51.100.7"]) == "198.51.100.7")
    }

    @Test func networksMatchByTheirPrefix() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.128/25, fd00::/8, 0.0.0.0/0")
        #expect(proxies.trusts("10.255.0.1"))
        #expect(proxies.trusts("192.168.1.200"))
        #expect(proxies.trusts("fdab::1"))
        #expect(!proxies.trusts("fe80::1"))
        #expect(!proxies.trusts("not an address"))
        let narrow = try TrustedProxies(parsing: "192.168.1.128/25")
        #expect(!narrow.trusts("192.168.1.127"))
        #expect(narrow.trusts("192.168.1.128"))
    }

    @Test func aListThatCannotBeReadIsRefusedWithTheEntry() throws {
        for (text, entry) in [
            ("127.0.0.1, localhost", "localhost"), ("10.0.0.0/33", "10.0.0.0/33"), ("::1/129", "::1/129"),
        ] {
            let error = #expect(throws: ConfigurationError.self) {
                try CharterConfiguration.load(environment: ["CHARTERD_TRUSTED_PROXIES": text])
            }
            #expect(error?.description.contains("CHARTERD_TRUSTED_PROXIES (from the environment)") == true)
            #expect(error?.description.contains("\"\(entry)\" is not an IP address") == true)
        }
        let loaded = try CharterConfiguration.load(environment: ["CHARTERD_TRUSTED_PROXIES": "127.0.0.1,::1"])
        #expect(loaded.trustedProxies == Self.local)
        #expect(try CharterConfiguration.load(environment: [:]).trustedProxies == .none)
    }

    /// Over a real socket (the peer is 127.0.0.1): two wrong passwords from one client behind the proxy
    /// hold back only that client; without the setting the header is ignored and they hold back everyone.
    @Test func signInThrottlingCountsEachClientBehindTheProxy() async throws {
        for trusted in [true, false] {
            let setup = try await WebPagesTests.setUp(
                "proxy-throttle-\(trusted)", throttle: SignInThrottle(maxFailuresPerEmail: 50, maxFailuresPerAddress: 2)
            )
            var configuration = CharterConfiguration()
            configuration.httpPort = 0
            if trusted { configuration.trustedProxies = Self.local }
            let app = CharterServer.application(
                configuration: configuration, pool: setup.pool, logger: Logger(label: "test"), users: setup.users)
            try await app.test(.live) { client in
                func signIn(from address: String, password: String) async throws -> HTTPResponse.Status {
                    try await WebPagesTests.postSignIn(
                        client, "jo@union.example", password: password,
                        extra: [HTTPField.Name("X-Forwarded-For")!: address]
                    ).status
                }
                #expect(try await signIn(from: "203.0.113.5", password: "wrong-1") == .unauthorized)
                #expect(try await signIn(from: "203.0.113.5", password: "wrong-2") == .unauthorized)
                #expect(try await signIn(from: "203.0.113.5", password: WebPagesTests.password) == .tooManyRequests)
                let other = try await signIn(from: "198.51.100.7", password: WebPagesTests.password)
                #expect(other == (trusted ? .seeOther : .tooManyRequests))
                // While the application runs: stopping it closes the pool.
                let recorded = try await setup.pool.withConnection { connection in
                    try await connection.query("SELECT DISTINCT remote_address FROM sign_in_attempts ORDER BY 1").map {
                        try $0.decode(String.self, column: "remote_address")
                    }
                }
                #expect(recorded == (trusted ? ["198.51.100.7", "203.0.113.5"] : ["127.0.0.1"]))
            }
            await setup.pool.close()
        }
    }
}
