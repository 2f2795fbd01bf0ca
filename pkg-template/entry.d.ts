/** Where `init()` finds the WebAssembly module. Every field is optional. */
export interface InitOptions {
  /**
   * Mini-programs: the path of the `.wasm` inside the code package, for `WXWebAssembly.instantiate`.
   * Default `/miniprogram_npm/wxsocket/wxsocket_bg.wasm` (where "Build npm" puts it); from base library
   * 2.14.0 the `.br` beside it is tried first. A path ending in `.br` is used as given.
   * Browsers (ESM entry): a URL; default `new URL('./wxsocket_bg.wasm', import.meta.url)`.
   * Node: ignored (the module beside the entry is loaded synchronously).
   */
  wasmPath?: string | { readonly href: string };
  /** Mini-programs: `false` always loads the plain `.wasm`, `true` tries the `.br` first. Default: by base library version. */
  brotli?: boolean;
  /** The module's bytes, where the standard `WebAssembly` exists (never with WXWebAssembly, which takes only a path). */
  wasm?: ArrayBuffer | ArrayBufferView;
}

/**
 * Loads and instantiates the WebAssembly module. Idempotent: later calls return the same promise (their options
 * are ignored) and resolve at once after success; after a failure the next call tries again. Rejects with a
 * `WxSocketError` whose code is `NOT_INITIALIZED`. In Node it resolves at once.
 */
export function init(options?: InitOptions): Promise<void>;

/** `init()`, then `new SocketClient(options)`. */
export function connect(options: SocketClientOptions<string> & { codec: 'text' }): Promise<SocketClient<string, string>>;
export function connect<In = unknown, Out = unknown>(options: SocketClientOptions<In>): Promise<SocketClient<In, Out>>;

/** The package version. */
export const version: string;

/** Where `consoleLogger` writes: any object with `log`; a level's own method is used when present. */
export interface ConsoleLike {
  log(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  warn?(...args: unknown[]): void;
  error?(...args: unknown[]): void;
}

export interface ConsoleLoggerOptions {
  /** The lowest level written: 'debug' < 'info' < 'warn' < 'error'. Default 'info'. */
  level?: LogLevel;
  /** Default: the global `console`. */
  console?: ConsoleLike;
}

/**
 * A ready `logger` option: `console[level]('[wxsocket] ' + message, fields)` for each entry at `level` or above.
 * It writes only what the client gives a logger, so header values and the URL's query string never appear.
 * Throws `INVALID_OPTION` for an unknown level, or when there is no console to write to.
 */
export function consoleLogger(options?: ConsoleLoggerOptions): NonNullable<SocketClientOptions['logger']>;
