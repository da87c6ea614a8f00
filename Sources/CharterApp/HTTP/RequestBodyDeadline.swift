import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client sends a request body too slowly: the body must arrive within
/// `grace` of the request head plus one second for every `minimumBytesPerSecond` bytes received.
///
/// Hummingbird's idle timeout (`CharterServer.idleTimeout`) closes a connection that sends nothing —
/// including one that never finishes its request head, however slowly it trickles it — but every body
/// part it reads counts as activity, so a client that trickles one byte every few seconds would hold its
/// connection, and the memory and file descriptor behind it, for ever. A real upload, even of a large
/// return over a slow link, moves far faster than the minimum rate, so the deadline grows ahead of it.
///
/// The deadline also runs while the server itself is not reading (a handler waiting for the database
/// applies backpressure), as Hummingbird's idle timeout does; `grace` leaves room for that.
final class RequestBodyDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let grace: TimeAmount
    let minimumBytesPerSecond: Int

    private var headAt: NIODeadline?
    private var bytes = 0
    private var check: Scheduled<Void>?

    init(grace: TimeAmount, minimumBytesPerSecond: Int) {
        self.grace = grace
        self.minimumBytesPerSecond = minimumBytesPerSecond
    }

    /// When the body read so far must be complete by.
    private var deadline: NIODeadline? {
        headAt.map { $0 + grace + .seconds(Int64(bytes / max(1, minimumBytesPerSecond))) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            headAt = .now()
            bytes = 0
            schedule(context)
        case .body(let buffer):
            bytes += buffer.readableBytes
        case .end:
            headAt = nil
            check?.cancel()
            check = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    /// Checks the deadline when it falls due; the body read meanwhile may have moved it later.
    private func schedule(_ context: ChannelHandlerContext) {
        check?.cancel()
        guard let deadline else { return }
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        check = loop.scheduleTask(deadline: deadline) { [self] in
            check = nil
            guard let current = self.deadline else { return }
            if current <= .now() {
                context.close(promise: nil)
            } else {
                schedule(context)
            }
        }
    }
}

@available(*, unavailable)
extension RequestBodyDeadline: Sendable {}
