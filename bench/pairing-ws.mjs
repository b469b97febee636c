// Pairs formed per second through a relay, with Node `ws` as the client: each of CLIENTS concurrent
// clients opens side A, opens side B, makes one round trip (A to B and back) and closes both, over
// and over, as `arc-relay bench churn` does with Vert.x.
//   node bench/pairing-ws.mjs <relay ws:// URL> [clients=50] [seconds=8] [warmup=2] [processes=1]
// Prints one line: `pairing-ws clients=50 processes=1 pairs_per_s=N p50_ms=N p99_ms=N`, counting
// the cycles that began after the warm-up. One Node process is one thread, and at about a thousand
// pairs a second its own CPU is what limits the count: PROCESSES > 1 shares the clients among that
// many processes (docs/benchmarks.md, session 16). Needs `ws` beside it (bench/run installs it under target/).
import { fork } from 'node:child_process';
import { WebSocket } from 'ws';

const [relay, clientsArg, secondsArg, warmupArg, processesArg] = process.argv.slice(2);
const clients = Number(clientsArg ?? 50);
const seconds = Number(secondsArg ?? 8);
const warmup = Number(warmupArg ?? 2);
const processes = Number(processesArg ?? 1);
if (!relay) {
  console.error('usage: node pairing-ws.mjs <ws://host:port/> [clients] [seconds] [warmup] [processes]');
  process.exit(2);
}

function open(code, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${relay}?pair=${code}`, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('message', (data) => onMessage(ws, data));
  });
}

/** Runs `count` clients in this process; resolves with the durations (ms) of the counted cycles. */
async function churn(count, run) {
  const countFrom = performance.now() + warmup * 1000;
  const stopAt = countFrom + seconds * 1000;
  const cycles = [];
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
  await Promise.all(Array.from({ length: count }, (_, i) => client(i)));
  return cycles;
}

const run = process.hrtime.bigint().toString(16);
if (process.env.PAIRING_WS_SHARE) { // a forked process: its share of the clients, cycles to the parent
  process.send(await churn(Number(process.env.PAIRING_WS_SHARE), `${run}-${process.pid}`));
  process.exit(0);
}
let cycles;
if (processes <= 1) {
  cycles = await churn(clients, run);
} else {
  const shares = Array.from({ length: processes }, (_, i) => Math.floor((clients + i) / processes));
  const results = await Promise.all(shares.map((share) => new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, process.argv.slice(2), {
      env: { ...process.env, PAIRING_WS_SHARE: String(share) },
    });
    child.on('message', resolve);
    child.on('exit', (code) => code === 0 || reject(new Error(`a client process exited with ${code}`)));
  })));
  cycles = results.flat();
}
cycles.sort((x, y) => x - y);
const at = (q) => (cycles.length ? cycles[Math.min(cycles.length - 1, Math.floor(q * cycles.length))] : 0);
console.log(`pairing-ws clients=${clients} processes=${Math.max(1, processes)} ` +
  `pairs_per_s=${(cycles.length / seconds).toFixed(0)} p50_ms=${at(0.5).toFixed(1)} p99_ms=${at(0.99).toFixed(1)}`);
process.exit(0);
