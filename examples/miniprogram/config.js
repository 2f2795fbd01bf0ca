// Where the chat connects. In WeChat DevTools (with "Do not verify domain names" ticked) the repository's
// test server works: `node tests/server/server.js --port 8787`. On a phone it must be a wss:// URL on the
// app's socket domain whitelist. The tests replace this file to point at their own server.
module.exports = {
  url: 'ws://127.0.0.1:8787'
};
