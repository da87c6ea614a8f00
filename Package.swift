// swift-tools-version:6.1
import PackageDescription

/// The upcoming features Hummingbird enables on every target; we hold ourselves to the same.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CharterWatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "charterd", targets: ["charterd"]),
        .executable(name: "charterctl", targets: ["charterctl"]),
        .executable(name: "charter-bench", targets: ["charter-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // libpq, found through pkg-config (Debian: libpq-dev and pkg-config).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev", "pkg-config"])]
        ),
        // The pure heart: charter types, periods, rates, validation, rules. Foundation only.
        // ZIPFoundation only to look inside an evidence file that claims to be DOCX or XLSX.
        .target(
            name: "CharterDomain", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings),
        // Email messages as bytes: addresses, RFC 2047 headers, MIME multiparts, quoted-printable, base64.
        // Pure: Foundation only, no network; transports live elsewhere.
        .target(name: "Mail", swiftSettings: swiftSettings),
        // Who may do what (roles, the access policy), API tokens, passwords, sessions, sign-in throttling.
        // Pure: no database, no HTTP.
        .target(
            name: "CharterAccess",
            dependencies: [
                "CharterDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL client over libpq. Knows nothing of charters.
        .target(
            name: "PGClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // A private PostgreSQL cluster under a state directory: initdb, start, stop, reuse.
        .target(
            name: "EmbeddedPostgres",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        // Turns sql/migrations/*.sql into Swift string constants at build time, so the
        // binaries carry their schema and need no resource bundle at run time.
        .executableTarget(name: "sql-embed", swiftSettings: swiftSettings),
        .plugin(
            name: "EmbedSQLPlugin",
            capability: .buildTool(),
            dependencies: ["sql-embed"],
            path: "Sources/EmbedSQLPlugin"
        ),
        .target(
            name: "CharterStore",
            dependencies: [
                "CharterDomain", "CharterAccess", "Mail", "PGClient", "Scheduling",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedSQLPlugin"]
        ),
        // Exactly-once scheduled jobs across instances: claims, leases, heartbeats, take-over.
        .target(
            name: "Scheduling",
            dependencies: [
                "CharterDomain",
                "PGClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedSQLPlugin"]
        ),
        // What a user or a job does, composed from the stores: the nightly compliance run, the rule-change
        // preview, queueing reports. Stores only read and write; the steps and their order live here.
        .target(
            name: "CharterUseCases",
            dependencies: [
                "CharterDomain", "CharterStore", "PGClient", "Scheduling",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // SMTP delivery (STARTTLS, implicit TLS, AUTH PLAIN/LOGIN) and a directory of .eml files for rendered
        // messages. Knows nothing of MIME or the database; the outbox hands it bytes and an envelope.
        .target(
            name: "MailTransport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CharterApp",
            dependencies: [
                "CharterDomain",
                "CharterAccess",
                "CharterStore",
                "CharterUseCases",
                "Scheduling",
                "EmbeddedPostgres",
                "Mail",
                "MailTransport",
                "PGClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedSQLPlugin"]
        ),
        .executableTarget(
            name: "charterd",
            dependencies: ["CharterApp"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "charterctl",
            dependencies: [
                "CharterAccess",
                "CharterApp",
                "CharterDomain",
                "CharterStore",
                "CharterUseCases",
                "Mail",
                "PGClient",
                "Scheduling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "charter-bench",
            dependencies: [
                "CharterAccess",
                "CharterApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                "CharterDomain",
                "CharterStore",
                "CharterUseCases",
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                "PGClient",
                "EmbeddedPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Starts the one throwaway cluster a test run shares and hands out fresh databases, and the
        // real SMTP server (aiosmtpd, from smtp_server.py) the mail tests deliver to.
        .target(
            name: "TestSupport",
            dependencies: ["EmbeddedPostgres", "PGClient", "CharterStore"],
            path: "Tests/TestSupport",
            exclude: ["smtp_server.py", "parse_strict.py", "slow_clients.py"],
            swiftSettings: swiftSettings
        ),
        // A clock the tests move by hand, for schedules, leases and take-overs without waiting for real time.
        .target(
            name: "SchedulingTestSupport",
            dependencies: ["Scheduling"],
            path: "Tests/SchedulingTestSupport",
            swiftSettings: swiftSettings
        ),
        // A seeded random number generator for tests that draw their cases; no dependencies of its own.
        .target(name: "TestRandom", path: "Tests/TestRandom", swiftSettings: swiftSettings),
        .testTarget(
            name: "CharterDomainTests",
            dependencies: ["CharterDomain", "TestRandom", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailTests",
            dependencies: ["Mail", "TestRandom", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CharterAccessTests",
            dependencies: [
                "CharterAccess", "CharterDomain",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PGClientTests",
            dependencies: ["PGClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Scheduling", "SchedulingTestSupport", "CharterStore", "PGClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CharterStoreTests",
            dependencies: [
                "CharterAccess", "CharterStore", "CharterUseCases", "PGClient", "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        // Runs against a real SMTP server (aiosmtpd, started by the tests from smtp_server.py).
        .testTarget(
            name: "MailTransportTests",
            dependencies: [
                "MailTransport", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Where a cluster lives and who may reach it: pure checks, no server started.
        .testTarget(
            name: "EmbeddedPostgresTests",
            dependencies: ["EmbeddedPostgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CharterAppTests",
            dependencies: [
                "CharterAccess", "CharterApp", "CharterStore", "CharterUseCases", "EmbeddedPostgres", "PGClient",
                "Scheduling", "SchedulingTestSupport", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
