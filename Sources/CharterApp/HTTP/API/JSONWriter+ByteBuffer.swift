import CharterDomain
import NIOCore

extension JSONWriter {
    /// What has been written, as a buffer to send.
    var buffer: ByteBuffer {
        withBytes { bytes in
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return buffer
        }
    }
}
