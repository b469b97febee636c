// Pairs formed per second through a relay, with Node `ws` as the client: each of CLIENTS concurrent
// clients opens side A, opens side B, makes one round trip (A to B and back) and closes both, over
// and over, as `arc-relay bench churn` does with Vert.x.
//   node bench/pairing-ws.mjs <relay ws:// URL> [clients=50] [seconds=8] [warmup=2]
// Prints one line: `pairing-ws clients=50 pairs_per_s=N p50_ms=N p99_ms=N`, counting the cycles
// that began after the warm-up. Needs `ws` beside it (bench/run installs it under target/).
import { WebSocket } from 'ws';

const relay = process.argv[2];
const clients = Number(process.argv[3] ?? 50);
const seconds = Number(process.argv[4] ?? 8);
const warmup = Number(process.argv[5] ?? 2);
if (!relay) {
  console.error('usage: node pairing-ws.mjs <ws://host:port/> [clients] [seconds] [warmup]');
  process.exit(2);
}

const run = process.hrtime.bigint().toString(16);
const countFrom = performance.now() + warmup * 1000;
const stopAt = countFrom + seconds * 1000;
const cycles = [];

function open(code, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${relay}?pair=${code}`, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('message', (data) => onMessage(ws, data));
  });
}

async function client(id) {
  for (let n = 0; ; n++) {
    const start = performance.now();
    if (start >= stopAt) return;
    const code = `ws-${run}-${id}-${n}`;
    let echoed;
    const back = new Promise((resolve) => (echoed = resolve));
    const a = await open(code, () => echoed());
    const b = await open(code, (ws, data) => ws.send(data)); // B echoes
    a.send(Buffer.from('ping'));
    await back;
    // Closed without waiting for the close handshakes: the relay still does their work.
    a.close();
    b.close();
    if (start >= countFrom) cycles.push(performance.now() - start);
  }
}

await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
cycles.sort((x, y) => x - y);
const at = (q) => (cycles.length ? cycles[Math.min(cycles.length - 1, Math.floor(q * cycles.length))] : 0);
console.log(`pairing-ws clients=${clients} pairs_per_s=${(cycles.length / seconds).toFixed(0)} ` +
  `p50_ms=${at(0.5).toFixed(1)} p99_ms=${at(0.99).toFixed(1)}`);
process.exit(0);
