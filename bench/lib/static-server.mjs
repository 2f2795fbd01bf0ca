// The one static file server on 127.0.0.1 for pages in Chromium (the benchmark's browser part and the
// leak check): serves the folders of the repository it is given, nothing else. Cross-origin isolated
// (COOP/COEP), so performance.now() has its fine resolution in Chromium. `onPost(path, body)`, if given,
// receives what a page POSTs (the leak page posts its figures to /result).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export function startStaticServer(root, allowed, { onPost } = {}) {
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (req.method === 'POST' && onPost) {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        res.end('ok');
        onPost(path, body);
      });
      return;
    }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    const ok = !rel.split(sep).includes('..') && allowed.some((p) => rel === p || rel.startsWith(p + '/'));
    if (!ok) {
      res.writeHead(404).end('not served');
      return;
    }
    try {
      const body = await readFile(join(root, rel));
      res.writeHead(200, {
        'content-type': TYPES[extname(rel)] || 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: 'http://127.0.0.1:' + server.address().port,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}
