'use strict';
/**
 * The phone's key-value storage (`wx.setStorage`, `getStorageSync`, …) for the harness, with WeChat's limits:
 * at most 1 MB per key and 10 MB in all (the documented limits of wx.setStorage), counted as the UTF-8 bytes
 * of the key and of the stored value (a string as is, anything else as JSON). It outlives a MiniProgram: pass
 * the same `PhoneStorage` to the next `MiniProgram.create({ storage })` to relaunch an app that was killed.
 *
 * Writes can be made to fail: `failWrites(errMsg)` fails every write with that errMsg until
 * `failWrites(null)`. Every write (done or failed) is kept in `writes` as { key, bytes, ok, errMsg }.
 * `setStorage` completes asynchronously (its callbacks after a macrotask), as on the phone.
 */

const PER_KEY_BYTES = 1024 * 1024;
const TOTAL_BYTES = 10 * 1024 * 1024;

function sizeOf(key, data) {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(text === undefined ? '' : text, 'utf8');
}

class PhoneStorage {
  constructor({ perKeyBytes = PER_KEY_BYTES, totalBytes = TOTAL_BYTES } = {}) {
    this.perKeyBytes = perKeyBytes;
    this.totalBytes = totalBytes;
    this.items = new Map(); // key → { data, bytes }
    this.writes = [];
    this.failing = null;
  }

  failWrites(errMsg) {
    this.failing = errMsg;
  }

  usedBytes() {
    let n = 0;
    for (const item of this.items.values()) n += item.bytes;
    return n;
  }

  /** Stores `data` under `key`, or returns the errMsg of the failure (nothing changes then). */
  write(api, key, data) {
    const bytes = sizeOf(key, data);
    let errMsg = null;
    if (this.failing !== null) errMsg = `${api}:fail ${this.failing}`;
    else if (bytes > this.perKeyBytes) errMsg = `${api}:fail entry size limit reached (1MB per key)`;
    else if (this.usedBytes() - (this.items.has(key) ? this.items.get(key).bytes : 0) + bytes > this.totalBytes) {
      errMsg = `${api}:fail exceed storage max size 10MB`;
    }
    this.writes.push({ key, bytes, ok: errMsg === null, errMsg });
    if (errMsg === null) this.items.set(key, { data: typeof data === 'string' ? data : JSON.parse(JSON.stringify(data)), bytes });
    return errMsg;
  }

  read(key) {
    return this.items.has(key) ? this.items.get(key).data : '';
  }

  /**
   * The storage functions of `wx` for one app. `alive()` says whether the app still runs: a killed app's
   * late calls change nothing. `later(fn)` runs a callback after a macrotask inside the app.
   */
  api(alive, later) {
    const storage = this;
    const settle = (o, errMsg, api) => {
      if (!o) return;
      const res = { errMsg: errMsg === null ? `${api}:ok` : errMsg };
      later(() => {
        if (errMsg === null && typeof o.success === 'function') o.success(res);
        if (errMsg !== null && typeof o.fail === 'function') o.fail(res);
        if (typeof o.complete === 'function') o.complete(res);
      });
    };
    return {
      setStorage(o) {
        if (!alive()) return;
        settle(o, storage.write('setStorage', String(o.key), o.data), 'setStorage');
      },
      setStorageSync(key, data) {
        if (!alive()) return;
        const errMsg = storage.write('setStorageSync', String(key), data);
        if (errMsg !== null) throw new Error(errMsg);
      },
      getStorageSync(key) {
        return storage.read(String(key));
      },
      removeStorageSync(key) {
        if (alive()) storage.items.delete(String(key));
      },
      getStorageInfoSync() {
        return { keys: [...storage.items.keys()], currentSize: Math.ceil(storage.usedBytes() / 1024), limitSize: storage.totalBytes / 1024 };
      },
    };
  }
}

module.exports = { PhoneStorage, PER_KEY_BYTES, TOTAL_BYTES };
