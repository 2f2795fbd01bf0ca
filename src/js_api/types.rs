//! The TypeScript declarations of the JS API, written by hand so page code gets real types:
//! generic messages, every option, event payloads, and `platform` accepting `WechatMiniprogram.Wx`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
/** A close code `close()` accepts: 1000, or an application code from 3000 to 4999. */
export type CloseCode = number;

export type SocketState = 'connecting' | 'open' | 'closing' | 'waiting' | 'closed';

export type WxSocketErrorCode =
  | 'NOT_INITIALIZED' | 'INVALID_OPTION' | 'INVALID_URL' | 'INSECURE_URL' | 'NO_PLATFORM' | 'SERIALIZE'
  | 'QUEUE_FULL' | 'CLOSED' | 'INVALID_CLOSE_CODE' | 'REASON_TOO_LONG' | 'TIMEOUT' | 'REMOTE_ERROR';

export type WxSocketEventErrorCode =
  | 'CONNECT_FAILED' | 'CONNECT_TIMEOUT' | 'HEARTBEAT_TIMEOUT' | 'UNCONFIRMED_LOST' | 'DECODE' | 'MESSAGE_TOO_LARGE'
  | 'SEND_FAILED' | 'RETRIES_EXHAUSTED' | 'PLATFORM' | 'EXPIRED' | 'QUEUE_FULL' | 'STORAGE';

/**
 * What every thrown error (and rejected promise) is: `e instanceof WxSocketError`, `e.name === 'WxSocketError'`.
 * Every entry exports the class.
 */
export class WxSocketError extends Error {
  constructor(code: WxSocketErrorCode, message: string);
  name: 'WxSocketError';
  code: WxSocketErrorCode;
  /** REMOTE_ERROR only: the reply's `error` member (a JSON-RPC 2.0 error object). */
  remote?: unknown;
  /** REMOTE_ERROR only: the whole error reply. */
  reply?: unknown;
}

/** What a platform's callbacks report on failure: `{ errMsg }`. */
export interface PlatformResult { errMsg: string }

/** The parts of a mini-program SocketTask the client uses (wx, tt, qq, uni). */
export interface SocketTaskLike {
  send(options: { data: string | ArrayBuffer; fail?: (res: PlatformResult) => void }): void;
  close(options: { code?: number; reason?: string; fail?: (res: PlatformResult) => void }): void;
  onOpen(listener: (res: { header?: Record<string, string> }) => void): void;
  onMessage(listener: (res: { data: string | ArrayBuffer }) => void): void;
  onClose(listener: (res: { code: number; reason: string }) => void): void;
  onError(listener: (res: PlatformResult) => void): void;
}

/** What the client passes to `connectSocket`. */
export interface ConnectSocketOptions {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  /** The connect timeout (`connectTimeoutMs`). */
  timeout?: number;
  fail?: (res: PlatformResult) => void;
  complete?: (res: PlatformResult) => void;
}

/** An object with `connectSocket`: `wx`, `tt`, `qq`, `uni` (the official `WechatMiniprogram.Wx` fits). */
export interface SocketPlatform {
  /** A task, or (Taro, promise-style uni-app) a promise of one. */
  connectSocket(options: ConnectSocketOptions): SocketTaskLike | Promise<SocketTaskLike>;
  onAppHide?(listener: (res: unknown) => void): void;
  offAppHide?(listener: (res: unknown) => void): void;
  onAppShow?(listener: (res: unknown) => void): void;
  offAppShow?(listener: (res: unknown) => void): void;
  onNetworkStatusChange?(listener: (res: { isConnected: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(listener: (res: unknown) => void): void;
}

/** The parts of a standard WebSocket the client uses besides its `on*` handler slots, which it sets. */
export interface WebSocketLike {
  binaryType: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

/** A standard WebSocket constructor (the browser's `WebSocket`, npm `ws`). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ReconnectOptions {
  /** Delay before the first retry, before jitter. Default 3500. */
  minDelayMs?: number;
  /** Upper bound of any delay. Default 10000 (or minDelayMs, when larger). */
  maxDelayMs?: number;
  /** Growth per retry (≥ 1). Default 2.5. */
  factor?: number;
  /** Share of each delay randomised away, 0 to 1. Default 1 (full jitter). */
  jitter?: number;
  /** Retries after the first attempt; then the client closes with RETRIES_EXHAUSTED. Default Infinity. */
  maxRetries?: number;
  /** A connection open this long resets the retry count. Default 5000. */
  minUptimeMs?: number;
  /** After a close from the server: return false to stop retrying. */
  shouldReconnect?: (close: { code: number; reason: string }) => boolean;
}

export interface HeartbeatOptions<In = unknown> {
  /** Time between pings while nothing arrives. Default 30000. */
  intervalMs?: number;
  /** Time to wait for a pong (or any frame) after a ping. Default 5000. */
  timeoutMs?: number;
  /** The ping: a string goes as is, anything else as JSON. Default 'ping'. */
  message?: unknown;
  /** A text frame equal to this is a pong. Default 'pong'. */
  pong?: string;
  /** A decoded frame for which this returns true is a pong. */
  isPong?: (data: In) => boolean;
}

export interface QueueOptions {
  /** Default 1000. */
  maxMessages?: number;
  /** UTF-8 bytes. Default 1048576. */
  maxBytes?: number;
  /** Default 'error' (send throws QUEUE_FULL). */
  overflow?: 'error' | 'drop-oldest' | 'drop-newest';
  /** How long a frame sent without its own ttlMs may wait; older ones are dropped at the flush (EXPIRED). Default: for ever. */
  ttlMs?: number;
  /** Storage key: the queue is kept in the platform's storage and restored, in order, by a client with the same key. */
  persist?: string;
}

/** send()'s per-frame options. */
export interface SendOptions {
  /** Drop the frame if it waited in the queue longer than this (counted in stats.dropped, one EXPIRED per flush). */
  ttlMs?: number;
  /** Send only if open now; never queued (send returns false). */
  volatile?: boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SocketClientOptions<In = unknown> {
  /** `ws://` or `wss://`; a function is called before every attempt (fresh tokens). */
  url: string | (() => string | Promise<string>);
  /** Handshake headers (no CR, LF, NUL; no Referer). */
  header?: Record<string, string>;
  protocols?: string[];
  /** Where sockets come from. Default: the first of wx, tt, qq, uni, WebSocket. */
  platform?: SocketPlatform | WebSocketConstructor;
  /**
   * Default 'json'. Binary frames are always ArrayBuffer. 'text' delivers strings, so it is refused for a
   * message type that is not a string (`new SocketClient({ codec: 'text' })` is a SocketClient<string, string>).
   */
  codec?: unknown extends In ? 'json' | 'text' : [In] extends [string] ? 'json' | 'text' : 'json';
  /** Default 10000. */
  connectTimeoutMs?: number;
  /** Default: enabled with the defaults above. */
  reconnect?: false | ReconnectOptions;
  /** Default false; true means all defaults. */
  heartbeat?: boolean | HeartbeatOptions<In>;
  queue?: QueueOptions;
  /** Larger inbound frames are dropped (error MESSAGE_TOO_LARGE). Default 1048576. */
  maxMessageBytes?: number;
  /** Default timeout of request(). Default 10000. */
  requestTimeoutMs?: number;
  /** Field that carries the request id. Default 'id'. */
  requestIdField?: string;
  /** Stamp every outgoing JSON object with a client-unique, increasing id in this field (kept across restarts with queue.persist). */
  messageIdField?: string;
  /** Which replies reject request() with REMOTE_ERROR. Default: JSON-RPC 2.0 replies with an `error` member. */
  isError?: (reply: In) => boolean;
  /** Use onAppHide/onAppShow/onNetworkStatusChange where present. Default true. */
  lifecycle?: boolean;
  /** Allow ws:// to non-loopback hosts. Default false. */
  allowInsecure?: boolean;
  /** Create without connecting; reconnect() starts it. Default false. */
  startClosed?: boolean;
  /** Diagnostics; never receives header values or the URL's query string. */
  logger?: (level: LogLevel, message: string, fields: Record<string, unknown>) => void;
}

export interface OpenEvent { header: Record<string, string> | undefined; attempt: number; reconnected: boolean }
export interface CloseEvent { code: number; reason: string; willReconnect: boolean; delayMs: number | null }
export interface ReconnectingEvent { attempt: number; delayMs: number }
export interface ErrorEvent {
  code: WxSocketEventErrorCode;
  message: string;
  errMsg?: string;
  raw?: string;
  /** How many frames: on `UNCONFIRMED_LOST` (sent and never confirmed), `EXPIRED` and `QUEUE_FULL` (dropped). */
  count?: number;
}
export interface StateEvent { from: SocketState; to: SocketState }

export interface SocketClientEvents<In = unknown> {
  open: OpenEvent;
  message: In | ArrayBuffer;
  close: CloseEvent;
  reconnecting: ReconnectingEvent;
  error: ErrorEvent;
  state: StateEvent;
}

export interface SocketStats {
  connects: number;
  reconnects: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  dropped: number;
  lastRttMs: number | null;
}

/** A client: `new SocketClient(options)` (after `init()`) or `await connect(options)`. */
export interface SocketClient<In = unknown, Out = unknown> {
  /** true: handed to the socket now; false: queued (or, volatile, dropped). Throws SERIALIZE, QUEUE_FULL, CLOSED, INVALID_OPTION. */
  send(data: Out | ArrayBuffer | ArrayBufferView, options?: SendOptions): boolean;
  /** No encoding. */
  sendRaw(data: string | ArrayBuffer | ArrayBufferView): boolean;
  /** Resolves with the first inbound message carrying the same id. Rejects TIMEOUT or CLOSED. */
  request<Reply = In>(data: Out & object, options?: { timeoutMs?: number }): Promise<Reply>;
  /** Final and idempotent. Throws INVALID_CLOSE_CODE, REASON_TOO_LONG. */
  close(code?: CloseCode, reason?: string): void;
  /** Closes the current task if any, resets retryCount and connects now. */
  reconnect(): void;
  on<K extends keyof SocketClientEvents<In>>(event: K, listener: (payload: SocketClientEvents<In>[K]) => void): () => void;
  once<K extends keyof SocketClientEvents<In>>(event: K, listener: (payload: SocketClientEvents<In>[K]) => void): () => void;
  off<K extends keyof SocketClientEvents<In>>(event: K, listener: (payload: SocketClientEvents<In>[K]) => void): void;
  /** Releases the WebAssembly object; call after close(). */
  free(): void;
  readonly state: SocketState;
  readonly retryCount: number;
  readonly queuedCount: number;
  readonly bufferedAmount: number;
  readonly url: string;
  readonly stats: SocketStats;
}

export interface SocketClientConstructor {
  /** `codec: 'text'`: messages are strings (or ArrayBuffers), and so is what `send` takes. */
  new (options: SocketClientOptions<string> & { codec: 'text' }): SocketClient<string, string>;
  new <In = unknown, Out = unknown>(options: SocketClientOptions<In>): SocketClient<In, Out>;
  readonly prototype: SocketClient;
}

/** Subclass with type arguments (`class Chat extends SocketClient<In, Out>`): the two constructors differ in type. */
export const SocketClient: SocketClientConstructor;
"#;
