import NIOCore

/// Counts the bytes that reach the async bridge, so STARTTLS can prove it has read every plaintext byte.
///
/// The reply to STARTTLS is the last thing a server may say in the clear. Bytes that arrived after it but before
/// the TLS handler was added sit in `NIOAsyncChannel`'s buffer where the dialogue cannot see them, and would later
/// be read as if they had come over TLS (the STARTTLS response-injection attack). Comparing this count, taken on
/// the event loop at the moment TLS is added, with what the dialogue has read closes that gap. Confined to the
/// channel's event loop like every handler.
final class PlaintextByteCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Bytes passed on so far.
    private(set) var count = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.count += Self.unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }
}
