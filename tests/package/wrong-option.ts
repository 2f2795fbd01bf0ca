// Wrong options must not type-check: tests/package/types.test.js expects tsc to report each line marked
// `// error` below, and nothing else.
import { SocketClient, connect, init } from 'wxsocket';

export const a = new SocketClient({ url: 'wss://example.com/ws', platform: wx, heartbeat: 'yes' }); // error
export const b = new SocketClient({ url: 'wss://example.com/ws', codec: 'xml' }); // error
export const c = new SocketClient({ url: 'wss://example.com/ws', queue: { overflow: 'drop' } }); // error
export const d = new SocketClient({ url: 42 }); // error
export const e = connect({ url: 'wss://example.com/ws', reconnect: true }); // error
export const f = init({ wasmPath: 42 }); // error
export function g(client: SocketClient) {
  client.on('mesage', () => {}); // error
}
