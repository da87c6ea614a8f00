import NIOCore
import NIOPosix

/// A loopback TCP server that answers each client write with the next canned reply, for dialogues a real
/// server will not produce: silence (timeouts) and bytes pipelined after the reply to STARTTLS.
struct ScriptedSMTPServer {
    let channel: any Channel

    var port: Int { self.channel.localAddress!.port! }

    /// Listens on a free port; the first of `replies` is the greeting (`nil` sends nothing at all).
    static func start(replies: [String?]) async throws -> ScriptedSMTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(replies: replies))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedSMTPServer(channel: channel)
    }

    func stop() async throws {
        try await self.channel.close().get()
    }

    private final class ReplyHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private var replies: [String?]

        init(replies: [String?]) { self.replies = replies }

        func channelActive(context: ChannelHandlerContext) {
            self.replyNext(context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.replyNext(context: context)
        }

        private func replyNext(context: ChannelHandlerContext) {
            guard !self.replies.isEmpty, let reply = self.replies.removeFirst() else { return }
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }
    }
}
