import Foundation
import HTTPTypes
public import Hummingbird

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The peers allowed to say who the client is, in `X-Forwarded-For` (`CHARTERD_TRUSTED_PROXIES`).
///
/// Behind a reverse proxy every request comes from the proxy's address, so sign-in throttling would
/// count everybody's failures as one client's. A trusted proxy appends the address it saw to
/// `X-Forwarded-For`; charterd reads that list from the right, skipping the trusted proxies, and takes
/// the first address it does not trust as the client's. From any other peer the header is ignored, so
/// a client cannot pick its own address by sending one.
public struct TrustedProxies: Sendable, Equatable {
    /// Addresses and networks, e.g. `127.0.0.1`, `::1`, `10.0.0.0/8`.
    public private(set) var ranges: [IPRange]

    /// Nobody is trusted: the client is always the TCP peer.
    public static let none = TrustedProxies(ranges: [])

    public init(ranges: [IPRange]) { self.ranges = ranges }

    /// A comma-separated list of addresses and CIDR networks; the error names the entry it cannot read.
    public init(parsing text: String) throws(ConfigurationError) {
        var ranges: [IPRange] = []
        for entry in text.split(separator: ",") {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            guard let range = IPRange(entry) else {
                throw ConfigurationError(
                    "\"\(entry)\" is not an IP address or a network such as 10.0.0.0/8 or fd00::/8")
            }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    public func trusts(_ address: String) -> Bool {
        IPRange.Address(address).map(trusts) ?? false
    }

    private func trusts(_ address: IPRange.Address) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For` values (each may
    /// list several addresses, oldest hop first).
    ///
    /// - Returns: `peer` when it is not a trusted proxy or sent no list; otherwise the rightmost address
    ///   in the list that is not trusted, the leftmost when all are, or the last trusted hop when an
    ///   entry beyond it cannot be read (a proxy we trust wrote something we do not understand). An
    ///   address from the list is written canonically (`2001:db8::7` for `[2001:DB8:0::7]`), so the
    ///   throttle counts one client under one address however a proxy spelt it.
    public func clientAddress(peer: String?, forwardedFor values: [String]) -> String? {
        guard let peer, trusts(peer) else { return peer }
        let hops = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard let address = IPRange.Address(hop) else { return client }
            client = address.description
            if !trusts(address) { return client }
        }
        return client
    }
}

/// One IP address or network (CIDR), IPv4 or IPv6. An IPv4 address written IPv4-mapped
/// (`::ffff:127.0.0.1`, as a dual-stack listener reports IPv4 peers) is the IPv4 address.
public struct IPRange: Sendable, Equatable {
    /// The address's bytes (4 or 16), in network order.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        var bytes: [UInt8]

        /// The canonical text (`inet_ntop`): dotted IPv4, or IPv6 in lower case with `::` for zeros.
        public var description: String {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = bytes.count == 4 ? AF_INET : AF_INET6
            let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
            guard written != nil else { return "" }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        init?(_ text: some StringProtocol) {
            var text = String(text)
            // `[::1]` as some proxies write IPv6.
            if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: &v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                let all = withUnsafeBytes(of: &v6) { Array($0) }
                let mapped = all[0..<10].allSatisfy { $0 == 0 } && all[10] == 0xff && all[11] == 0xff
                bytes = mapped ? Array(all[12..<16]) : all
            } else {
                return nil
            }
        }
    }

    var network: Address
    var prefixLength: Int

    /// `address` or `address/prefix`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Address(parts[0]) else { return nil }
        let width = address.bytes.count * 8
        var prefix = width
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...width).contains(length) else { return nil }
            prefix = length
        }
        network = address
        prefixLength = prefix
    }

    func contains(_ address: Address) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, address.bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if mine & mask != theirs & mask { return false }
            remaining -= bits
        }
        return true
    }
}

/// Sets `remoteAddress` to the client's address as `proxies` allow it to be read (see `TrustedProxies`).
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = CharterRequestContext
    let proxies: TrustedProxies

    public init(proxies: TrustedProxies) { self.proxies = proxies }

    public func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        guard !proxies.ranges.isEmpty else { return try await next(request, context) }
        var context = context
        context.remoteAddress = proxies.clientAddress(
            peer: context.remoteAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}
