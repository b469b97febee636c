// Load for bench/tunnel-edge: visitors of one tunnel as the open internet sends them, while /health
// is timed on a fresh connection every 20 ms. Phases, one after the other:
//   idle        nothing but the probe
//   hanging     500 visitors (from two addresses) whose app never answers (GET /hang), held open
//   keepalive   1,000 keep-alive visitors from 20 addresses (127.0.0.3-22), requesting in a loop
//   slowbody    300 connections from 127.0.0.2 sending a body a few bytes at a time, while the
//               20 other addresses make requests
// Prints per phase: /health p50/p99/max, and the statuses the visitors got.
//   node bench/tunnel-edge.mjs <relay port> <tunnel host> [seconds per phase, default 10]
import http from 'node:http';
import net from 'node:net';

const [port, host, secondsArg] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const seconds = Number(secondsArg || 10);
const addresses = Array.from({ length: 20 }, (_, i) => `127.0.0.${3 + i}`);

function probe(samples) {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const start = process.hrtime.bigint();
      await new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n'));
        socket.on('data', () => {});
        socket.on('close', () => { samples.push(Number(process.hrtime.bigint() - start) / 1e6); resolve(); });
        socket.on('error', () => { samples.push(Infinity); resolve(); });
      });
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const running = loop();
  return async () => { stopped = true; await running; };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function requestLoop(agent, statuses, until) {
  return new Promise((resolve) => {
    const next = () => {
      if (Date.now() > until) return resolve();
      const req = http.request({ host: '127.0.0.1', port, path: '/hello', agent, headers: { Host: host } }, (res) => {
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        res.resume();
        res.on('end', next);
      });
      req.on('error', () => { statuses.error = (statuses.error || 0) + 1; setTimeout(next, 10); });
      req.end();
    };
    next();
  });
}

async function keepAliveVisitors(perAddress, statuses, until) {
  const loops = [];
  for (const localAddress of addresses) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: perAddress, localAddress });
    for (let i = 0; i < perAddress; i++) loops.push(requestLoop(agent, statuses, until));
  }
  await Promise.all(loops);
}

function holdSockets(count, localAddress, head, trickle) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(head));
    socket.on('error', () => {});
    socket.on('data', () => {});
    sockets.push(socket);
  }
  const timer = trickle ? setInterval(() => sockets.forEach((s) => s.writable && s.write('x')), 1000) : null;
  return () => { if (timer) clearInterval(timer); sockets.forEach((s) => s.destroy()); };
}

async function phase(name, load) {
  const samples = [];
  const stopProbe = probe(samples);
  const statuses = await load(Date.now() + seconds * 1000);
  await stopProbe();
  samples.sort((a, b) => a - b);
  const failed = samples.filter((s) => s === Infinity).length;
  console.log(`${name.padEnd(10)} /health p50 ${percentile(samples, 0.5).toFixed(1)} ms  p99 ${percentile(samples, 0.99).toFixed(1)} ms`
    + `  max ${samples[samples.length - 1 - failed]?.toFixed(1)} ms  (${samples.length} probes, ${failed} failed)`
    + (statuses ? `  visitors: ${JSON.stringify(statuses)}` : ''));
}

const wait = (until) => new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));

await phase('idle', async (until) => { await wait(until); return null; });
await phase('hanging', async (until) => {
  // From two addresses: each stays under the default maxConnectionsPerIp (256).
  const releases = ['127.0.1.1', '127.0.1.2'].map((a) => holdSockets(250, a, `GET /hang HTTP/1.1\r\nHost: ${host}\r\n\r\n`, false));
  await wait(until);
  releases.forEach((release) => release());
  return null;
});
await phase('keepalive', async (until) => {
  const statuses = {};
  await keepAliveVisitors(50, statuses, until);
  return statuses;
});
await phase('slowbody', async (until) => {
  const release = holdSockets(300, '127.0.0.2', `POST /hello HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000000\r\n\r\n`, true);
  const statuses = {};
  await keepAliveVisitors(5, statuses, until);
  release();
  return statuses;
});
process.exit(0);
