// A browser project (lib DOM): the DOM's WebSocket is a platform, and connect() with codec 'text' narrows too.
import { connect, SocketClient } from 'wxsocket';

export function browser(): void {
  new SocketClient({ url: 'wss://example.com', platform: WebSocket }).close();
  void connect({ url: 'wss://example.com', platform: WebSocket, codec: 'text' }).then((client) => {
    client.on('message', (m) => console.log(typeof m === 'string' ? m.toUpperCase() : m.byteLength));
  });
}
