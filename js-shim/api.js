// What every entry of the package exports, around the wasm-bindgen glue: `init` (idempotent), `connect`,
// a `SocketClient` that refuses to exist before the WebAssembly module is ready, and `version`.
//
// `glue` is the glue module's namespace: `SocketClient`, `__wbg_set_wasm` and `wasmImports()` (the import
// object the module needs, built by scripts/build-pkg.js from the module's own import list).
// `load(options, imports)` returns a promise of the instance's exports, or the exports themselves.
// Plain ES2017.

/* global __WXSOCKET_VERSION__ */
import { WxSocketError } from 'wxsocket-glue';

export var version = __WXSOCKET_VERSION__;

// The class the glue's errors are made of (src/js/errors.js), exported by every entry.
export { WxSocketError };

export function wxSocketError(code, message, cause) {
  var e = new WxSocketError(code, message);
  if (cause !== undefined) e.cause = cause;
  return e;
}

function describe(err) {
  if (err && typeof err.errMsg === 'string') return err.errMsg;
  if (err && typeof err.message === 'string') return err.message;
  return String(err);
}

export function createApi(glue, load) {
  var ready = false;
  var pending = null;

  function start(exports) {
    if (ready) return;
    glue.__wbg_set_wasm(exports);
    if (typeof exports.__wbindgen_start === 'function') exports.__wbindgen_start();
    ready = true;
  }

  function init(options) {
    if (ready) return Promise.resolve();
    if (pending === null) {
      var opts = options === undefined || options === null ? {} : options;
      pending = new Promise(function (resolve) {
        resolve(load(opts, glue.wasmImports()));
      }).then(
        function (exports) {
          if (!exports || typeof exports !== 'object' || !exports.memory) {
            throw new Error('the instance has no exports');
          }
          start(exports);
        },
        function (err) {
          pending = null; // a later init() may try again (with other options)
          if (err && err.name === 'WxSocketError') throw err;
          throw wxSocketError(
            'NOT_INITIALIZED',
            'cannot load the module (README › Loading the WebAssembly module): ' + describe(err),
            err
          );
        }
      );
    }
    return pending;
  }

  var Base = glue.SocketClient;
  var beginCall = glue.beginCall;
  var endCall = glue.endCall;

  // The glue's class, checked: before init() has finished there is no module to run it on.
  class SocketClient extends Base {
    constructor(options) {
      if (!ready) {
        throw wxSocketError(
          'NOT_INITIALIZED',
          'await init() before new SocketClient(options), or use connect(options)'
        );
      }
      // A call into the module like every method (`within`): what it emits waits for its end, and the
      // events of a first attempt that failed at once wait longer, until page code can have listeners.
      beginCall();
      try {
        super(options);
        // A live client is kept from the garbage collector (src/js/emitter.js, `alive`).
        (this.__wxE = this.__wxEmitter).started(this, this.state !== 'closed');
        // The fast path (src/js/fast_path.js, linked to the emitter): send() below tries it first.
        this.__wxF = this.__wxE.fast;
      } finally {
        endCall();
      }
      // The id field (checked by the module): request() below checks that the data can carry its id.
      this.__wxIdField = options.requestIdField || 'id';
      // Read once: send() below encodes on this side when the codec is JSON.
      this.__wxText = codecOf.call(this) === 'text';
      // `messageIdField` (checked by the constructor): send() and request() stamp JSON objects with an id.
      this.__wxMessageIdField = this.__wxText ? undefined : options.messageIdField;
    }
  }


  // After free() the WebAssembly object is gone: every call gets a typed CLOSED error instead of the
  // glue's plain "null pointer passed to rust", `state` reads 'closed', and free() is idempotent.
  function freedError() {
    return wxSocketError('CLOSED', 'this client was freed with free(); create a new SocketClient');
  }
  var proto = SocketClient.prototype;
  var base = Base.prototype;
  // free() settles what is pending (requests reject with CLOSED). Called from a listener that runs
  // inside one of this client's own methods (on('close', () => c.free()) then c.close()), the module
  // still holds the object: the release waits until that method returns (`within`), and every later
  // call is already a typed CLOSED error (contract: re-entrancy and lifetimes).
  function release(client) {
    var em = client.__wxE;
    Object.keys(em.r).forEach(function (h) {
      em.settle(h, false, wxSocketError('CLOSED', 'the client was freed with free() before the reply came'));
    });
    base.free.call(client);
  }
  // From free() on, no listener hears anything more and the client is no longer kept alive.
  proto.free = function () {
    if (this.__wxFreed) return;
    this.__wxFreed = true;
    this.__wxE.dispose();
    if (this.__wxDepth > 0) this.__wxReleaseLater = true;
    else release(this);
  };
  if (typeof Symbol === 'function' && typeof Symbol.dispose === 'symbol') {
    proto[Symbol.dispose] = function () { this.free(); };
  }
  // Runs `f` as one of this client's methods: a free() from inside it is carried out when it returns.
  // Its events are delivered when it returns (the outermost call into the module: src/js/emitter.js).
  function within(client, f, a, b, c, d, e) {
    beginCall();
    client.__wxDepth = (client.__wxDepth || 0) + 1;
    try {
      return f.call(client, a, b, c, d, e);
    } finally {
      client.__wxDepth -= 1;
      if (client.__wxDepth === 0 && client.__wxReleaseLater) {
        client.__wxReleaseLater = false;
        release(client);
      }
      endCall();
    }
  }
  ['close', 'reconnect'].forEach(function (name) {
    var f = base[name];
    proto[name] = function (a, b) {
      if (this.__wxFreed) throw freedError();
      // reconnect() makes the client live again: kept from the garbage collector until it is closed.
      if (f === base.reconnect) this.__wxE.alive = this;
      return within(this, f, a, b);
    };
  });
  // on, once and off go straight to the client's emitter (src/js/emitter.js), which checks their arguments.
  ['on', 'once', 'off'].forEach(function (name) {
    proto[name] = function (a, b) {
      if (this.__wxFreed) throw freedError();
      return this.__wxE[name](a, b);
    };
  });
  // send(): the data is encoded here (the glue's encodeFrame, which throws a typed SERIALIZE error) and
  // handed in with its length and the clock, so one send makes one call into the module and none out of
  // it besides the socket's own send. Its outcome (glue.SendOutcome) says sent, queued, or which typed
  // error to throw (sendError).
  var sendFrame = base.sendFrame;
  var nextMessageId = base.nextMessageId;
  var SendOutcome = glue.SendOutcome;
  var encodeFrame = glue.encodeFrame;
  var frameLength = glue.frameLength;
  // `options` (send's second argument, checked by sendOptions) or undefined; the module takes a ttlMs < 0
  // as none given (NO_TTL).
  var NO_TTL = -1;
  function sendEncoded(client, frame, options) {
    var ttl = options === undefined || options.ttlMs === undefined ? NO_TTL : options.ttlMs;
    var volatile = options !== undefined && options.volatile === true;
    var outcome = within(client, sendFrame, frame, frameLength(frame), Date.now(), ttl, volatile);
    if (outcome === SendOutcome.Sent) return true;
    if (outcome === SendOutcome.Queued) return false;
    throw Base.sendError(outcome);
  }
  // On an open client with nothing queued the engine lets the fast path send by itself (no call into the
  // module; its options change nothing then: the frame goes out now).
  proto.send = function (data, options) {
    if (this.__wxFreed) throw freedError();
    var opts = sendOptions(options);
    if (this.__wxMessageIdField !== undefined && stampable(data) && !(this.__wxMessageIdField in data)) {
      data = Object.assign({}, data);
      data[this.__wxMessageIdField] = within(this, nextMessageId, Date.now());
    }
    var frame = encodeFrame(data, this.__wxText);
    if (this.__wxF.send(frame)) return true;
    return sendEncoded(this, frame, opts);
  };
  // send's options: undefined, or { ttlMs, volatile } checked (an INVALID_OPTION names the mistake).
  function sendOptions(o) {
    if (o === undefined || o === null) return undefined;
    if (typeof o !== 'object') throw wxSocketError('INVALID_OPTION', 'send(data, options): options must be an object { ttlMs, volatile }');
    var ttl = o.ttlMs;
    if (ttl !== undefined && !(typeof ttl === 'number' && ttl >= 1 && ttl <= 9007199254740991)) {
      throw wxSocketError('INVALID_OPTION', 'send options.ttlMs must be a finite number ≥ 1');
    }
    if (o.volatile !== undefined && typeof o.volatile !== 'boolean') throw wxSocketError('INVALID_OPTION', 'send options.volatile must be true or false');
    return o;
  }
  // A message that can carry a message id: an object that goes out as a JSON object (not an array, binary
  // data, a Date, a Blob or something whose toJSON decides what is sent). The tag, not instanceof, so that
  // a buffer from another realm is not taken for an object.
  function stampable(data) {
    return Object.prototype.toString.call(data) === '[object Object]' && typeof data.toJSON !== 'function';
  }
  // sendRaw(): the same without the codec. encodeFrame under the text codec takes exactly what sendRaw
  // takes (a string, an ArrayBuffer, a typed array or DataView as its own bytes); anything else is a
  // SERIALIZE error.
  proto.sendRaw = function (data) {
    if (this.__wxFreed) throw freedError();
    var frame;
    try {
      frame = encodeFrame(data, true);
    } catch (e) {
      throw wxSocketError('SERIALIZE', 'sendRaw takes a string, an ArrayBuffer or a typed array');
    }
    if (this.__wxF.send(frame)) return true;
    return sendEncoded(this, frame);
  };
  var request = base.request;
  proto.request = function (data, options) {
    if (this.__wxFreed) return Promise.reject(freedError());
    var unfit = unfitForRequest(data, this.__wxIdField);
    if (unfit) return Promise.reject(wxSocketError('INVALID_OPTION', 'request(data) takes a plain object to carry the request id; ' + unfit));
    // Requests carry their message id on the data itself, as they carry their request id.
    if (this.__wxMessageIdField !== undefined && !(this.__wxMessageIdField in data)) data[this.__wxMessageIdField] = within(this, nextMessageId, Date.now());
    return within(this, request, data, options);
  };
  // The module's getters (SocketClient in src/js_api), each made safe after free().
  function getterOf(name) {
    return Object.getOwnPropertyDescriptor(base, name).get;
  }
  var codecOf = getterOf('codec');
  ['state', 'retryCount', 'queuedCount', 'bufferedAmount', 'url', 'stats'].forEach(function (name) {
    var get = getterOf(name);
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: false,
      get: function () {
        if (this.__wxFreed) {
          if (name === 'state') return 'closed';
          throw freedError();
        }
        return get.call(this);
      }
    });
  });

  // Data whose encoding would lose the request id, so that its reply could never be matched.
  function unfitForRequest(data, field) {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'got ' + (Array.isArray(data) ? 'an array' : String(data));
    if (data instanceof Date) return 'a Date goes out as a string';
    if (typeof ArrayBuffer === 'function' && (data instanceof ArrayBuffer || ArrayBuffer.isView(data))) return 'binary data has no field for the id (use send())';
    if (typeof Blob === 'function' && data instanceof Blob) return 'a Blob has no field for the id';
    if (typeof data.toJSON === 'function') return 'its toJSON() decides what is sent';
    // JSON sends own enumerable properties only, and a number only when it is finite (read without calling a
    // getter: the module reads the id itself).
    var d = Object.getOwnPropertyDescriptor(data, field);
    if (field in data && !(d && d.enumerable && (typeof d.value !== 'number' || isFinite(d.value)))) {
      return 'its ' + field + ' would not go out in JSON';
    }
    return '';
  }

  function connect(options) {
    return init().then(function () {
      return new SocketClient(options);
    });
  }

  return {
    api: { init: init, connect: connect, SocketClient: SocketClient, version: version },
    // For entries that load synchronously (Node): start at once with the exports.
    startSync: start
  };
}
