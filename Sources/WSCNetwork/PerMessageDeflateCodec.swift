import CompressNIO
import NIOCore
import WSCCore

/// Compresses and decompresses message payloads as a permessage-deflate agreement says (RFC 7692).
///
/// Raw deflate through compress-nio's zlib streams. A message is compressed with a sync flush,
/// and the flush's `00 00 ff ff` tail is dropped (section 7.2.1); it is put back before
/// inflating (7.2.2). Contexts carry over between messages unless the agreement says
/// otherwise. Used on one event loop only.
final class PerMessageDeflateCodec {
    /// Why a received message could not be decompressed.
    enum DecompressionError: Error {
        /// The message inflates to more than the limit.
        case tooBig
        /// The bytes are not a valid deflate stream.
        case corrupt
    }

    /// The compressor, or nil when this end must not compress.
    ///
    /// zlib cannot deflate raw streams with an 8-bit window, so when the peer asks for one,
    /// messages go uncompressed, which RFC 7692 allows for any message.
    private let compressor: ZlibCompressor?
    private let decompressor: ZlibDecompressor
    private let resetsSendContext: Bool
    private let resetsReceiveContext: Bool

    /// The codec for this end of a connection that agreed on `agreement`.
    init(agreement: PerMessageDeflate, role: ConnectionRole) throws {
        let sendWindow = agreement.sendWindowBits(as: role)
        if sendWindow > 8 {
            self.compressor = try ZlibCompressor(
                algorithm: .deflate,
                configuration: ZlibConfiguration(windowSize: Int32(sendWindow))
            )
        } else {
            self.compressor = nil
        }
        // Inflating with the largest window reads a stream made with any smaller one.
        self.decompressor = try ZlibDecompressor(algorithm: .deflate, windowSize: 15)
        self.resetsSendContext = agreement.resetsSendContext(as: role)
        self.resetsReceiveContext = agreement.resetsReceiveContext(as: role)
    }

    /// The payload compressed, ready for a frame with RSV1 set; nil to send it as it is.
    ///
    /// An empty payload goes as it is: there is nothing to gain, and zlib makes no progress
    /// on a second sync flush with no input.
    func compress(_ payload: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let compressor = self.compressor, payload.readableBytes > 0 else {
            return nil
        }
        var input = payload
        var output = allocator.buffer(capacity: compressor.maxSize(from: input))
        do {
            while true {
                do {
                    try compressor.deflate(from: &input, to: &output, flush: .sync)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    // zlib's Z_BUF_ERROR: the output is full, or no progress was possible.
                }
                // A sync flush is complete only when it left room in the output.
                if input.readableBytes == 0, output.writableBytes > 0 {
                    break
                }
                guard output.writableBytes == 0 else {
                    throw CompressNIOError.internalError
                }
                output.reserveCapacity(minimumWritableBytes: max(64, output.capacity / 2))
            }
            if self.resetsSendContext {
                try compressor.reset()
            }
        } catch {
            // The stream is in an unknown state: start afresh, and send this one as it is.
            try? compressor.reset()
            return nil
        }
        let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
        guard output.readableBytes >= 4, output.getBytes(at: output.writerIndex - 4, length: 4) == tail else {
            try? compressor.reset()
            return nil
        }
        output.moveWriterIndex(to: output.writerIndex - 4)
        return output
    }

    /// The message a compressed payload stands for, at most `limit` bytes.
    func decompress(
        _ payload: ByteBuffer,
        limit: Int,
        allocator: ByteBufferAllocator
    ) throws(DecompressionError) -> ByteBuffer {
        guard payload.readableBytes > 0 else {
            // Nothing was compressed: inflating the bare tail would leave zlib inside a
            // stored block, and the next message would not inflate.
            return payload
        }
        var output = allocator.buffer(capacity: min(max(payload.readableBytes * 4, 256), limit + 1))
        // The payload, then the tail its sender removed: fed separately, so the received
        // bytes are not copied to append four.
        var input = payload
        if try self.inflate(&input, into: &output, limit: limit) {
            // The stream ended inside the payload (a block with BFINAL): nothing may follow.
            guard input.readableBytes == 0 else {
                throw .corrupt
            }
        } else {
            var tail = Self.tail
            _ = try self.inflate(&tail, into: &output, limit: limit)
        }
        guard output.readableBytes <= limit else {
            try? self.decompressor.reset()
            throw .tooBig
        }
        if self.resetsReceiveContext {
            try? self.decompressor.reset()
        }
        return output
    }

    /// `00 00 ff ff`: the end of a sync flush, which senders remove (RFC 7692 section 7.2.1).
    private static let tail = ByteBuffer(bytes: [0x00, 0x00, 0xFF, 0xFF])

    /// Inflates all of `input` into `output`; returns true when the deflate stream ended.
    ///
    /// An ended stream (a block with BFINAL) resets the inflater: the next message starts a
    /// new one.
    private func inflate(
        _ input: inout ByteBuffer,
        into output: inout ByteBuffer,
        limit: Int
    ) throws(DecompressionError) -> Bool {
        while true {
            let (inputBefore, outputBefore) = (input.readableBytes, output.readableBytes)
            do {
                try self.decompressor.inflate(from: &input, to: &output)
                if input.readableBytes == 0 {
                    return false
                }
                if input.readableBytes == inputBefore, output.readableBytes == outputBefore {
                    try? self.decompressor.reset()
                    return true
                }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The output is full; more may be waiting inside zlib even with the input read.
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                return false
            } catch {
                try? self.decompressor.reset()
                throw .corrupt
            }
            guard output.readableBytes <= limit else {
                try? self.decompressor.reset()
                throw .tooBig
            }
            if output.writableBytes == 0 {
                output.reserveCapacity(
                    minimumWritableBytes: min(max(output.capacity, 256), limit + 1 - output.readableBytes)
                )
            }
        }
    }
}
