// The seed relay's behaviour (../shared/notes/peers.md: Node `ws`, pairs by ?pair=, binary frames
// forwarded verbatim, no back-pressure or limits), rebuilt for same-machine comparisons only.
//   node bench/seed-relay.mjs <port> [host]       (needs `ws`: bench/run installs it)
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 8766);
const host = process.argv[3] ?? '127.0.0.1';
const pairTtlMs = 5 * 60 * 1000;
const pairs = new Map();
let formed = 0; // pairs whose side B connected, for bench/run's CPU per pair

const server = http.createServer((req, res) => {
  if (req.url === '/health' || req.url === '/health/') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, pairs: pairs.size, formed }));
  } else {
    res.writeHead(404);
    res.end();
  }
});
const wss = new WebSocketServer({ noServer: true });

server.on('upgrade', (req, socket, head) => {
  const code = new URL(req.url, 'http://relay').searchParams.get('pair');
  if (!code || code.length > 256) return socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  const existing = pairs.get(code);
  if (existing && existing.b) return socket.end('HTTP/1.1 409 Conflict\r\n\r\npair is full');
  wss.handleUpgrade(req, socket, head, (ws) => {
    let pair = pairs.get(code);
    if (!pair) pairs.set(code, (pair = { a: ws, b: null, opened: Date.now() }));
    else {
      pair.b = ws;
      formed++;
    }
    const peer = () => (pair.a === ws ? pair.b : pair.a);
    ws.on('message', (data, isBinary) => {
      const other = peer();
      if (isBinary && other && other.readyState === 1) other.send(data, { binary: true });
    });
    ws.on('close', () => {
      pairs.delete(code);
      const other = peer();
      if (other && other.readyState === 1) other.close(1000, 'peer disconnected');
    });
    ws.on('error', () => {
      ws.close(1011);
      const other = peer();
      if (other && other.readyState === 1) other.close(1011);
    });
  });
});

setInterval(() => {
  const now = Date.now();
  for (const [code, pair] of pairs) {
    if (!pair.b && now - pair.opened > pairTtlMs) {
      pairs.delete(code);
      pair.a.close(1001, 'pair expired');
    }
  }
}, 30_000).unref();

server.listen(port, host, () => console.error(`seed relay listening on ${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
