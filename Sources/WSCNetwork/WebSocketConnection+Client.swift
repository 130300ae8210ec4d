import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

extension WebSocketConnection {
    /// Starts connecting as a client; its events come one at a time.
    ///
    /// Sends made before the connection opens are queued, never dropped.
    public static func connect(
        _ configuration: ClientConfiguration,
        on group: EventLoopGroup,
        events: @escaping @Sendable (ConnectionEvent) -> Void
    ) -> WebSocketConnection {
        Self.connect(configuration, on: group) { (batch: [ConnectionEvent]) in
            for event in batch {
                events(event)
            }
        }
    }

    /// Starts connecting as a client; its events come in batches, in order.
    ///
    /// The messages of one burst of reads come together (so a consumer on another thread
    /// wakes once per burst, not once per message); other events come alone.
    public static func connect(
        _ configuration: ClientConfiguration,
        on group: EventLoopGroup,
        eventBatches: @escaping @Sendable ([ConnectionEvent]) -> Void
    ) -> WebSocketConnection {
        let connection = WebSocketConnection(eventLoop: group.next())
        let box = connection.box
        connection.eventLoop.execute {
            let handler = WebSocketConnectionHandler(
                settings: configuration.connectionSettings,
                eventLoop: box.eventLoop,
                emitBatch: eventBatches
            )
            box.value = handler
            ClientConnector(handler: handler, configuration: configuration).start()
        }
        return connection
    }
}
