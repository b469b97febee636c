// Load for bench/tunnel-edge: visitors of one tunnel as the open internet sends them, in phases
// whose names it prints on stdout for the prober (`arc-relay bench probe`). One after the other:
//   idle        nothing but the probe
//   hanging     500 visitors (from two addresses, opened over 2 s) whose app never answers
//   keepalive   1,000 keep-alive visitors from 20 addresses (127.0.0.3-22), each asking every
//               EVERY_MS (default 1000; 0: as fast as answered)
//   slowbody    300 connections from 127.0.0.2 sending a body a byte a second, while 100 visitors
//               of the 20 other addresses ask every EVERY_MS / 10
// Prints on stderr the statuses the visitors got per phase.
//   [EVERY_MS=N] node bench/tunnel-edge.mjs <relay port> <tunnel host> [seconds per phase, default 10]
import http from 'node:http';
import net from 'node:net';

const [port, host, secondsArg] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const seconds = Number(secondsArg || 10);
const addresses = Array.from({ length: 20 }, (_, i) => `127.0.0.${3 + i}`);

// Each visitor asks once every `everyMs` (0: as fast as it is answered): a thousand visitors at one
// request a second each are a busy site; at full speed they are a load test of the machine's two
// cores, where the prober's own samples wait for a core (both are reported).
function requestLoop(agent, statuses, until, everyMs) {
  return new Promise((resolve) => {
    let started = 0;
    const next = () => {
      if (Date.now() > until) return resolve();
      const wait = started + everyMs - Date.now();
      if (wait > 0) return setTimeout(next, wait);
      started = Date.now();
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

async function keepAliveVisitors(perAddress, statuses, until, everyMs) {
  const loops = [];
  for (const localAddress of addresses) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: perAddress, localAddress });
    for (let i = 0; i < perAddress; i++) {
      // Spread over the first interval, so a paced load does not arrive in one burst per interval.
      const start = everyMs ? Math.random() * everyMs : 0;
      loops.push(new Promise((r) => setTimeout(r, start)).then(() => requestLoop(agent, statuses, until, everyMs)));
    }
  }
  await Promise.all(loops);
}

// `count` connections from `localAddress`, opened over `spreadMs`, each sending `head`.
function holdSockets(count, localAddress, head, trickle, spreadMs) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    setTimeout(() => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(head));
      socket.on('error', () => {});
      socket.on('data', () => {});
      sockets.push(socket);
    }, (i * spreadMs) / count);
  }
  const timer = trickle ? setInterval(() => sockets.forEach((s) => s.writable && s.write('x')), 1000) : null;
  return () => { if (timer) clearInterval(timer); sockets.forEach((s) => s.destroy()); };
}

// The phase's name goes to stdout, where `arc-relay bench probe` (its own process) reads it and files
// its /health and pairing samples under it; the visitors' statuses go to stderr.
async function phase(name, load) {
  console.log(name);
  const statuses = await load(Date.now() + seconds * 1000);
  if (statuses) console.error(`${name}: visitors got ${JSON.stringify(statuses)}`);
}

const wait = (until) => new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));

const pace = Number(process.env.EVERY_MS ?? 1000); // each keep-alive visitor's interval (0: full speed)
await phase('idle', async (until) => { await wait(until); return null; });
await phase('hanging', async (until) => {
  // From two addresses: each stays under the default maxConnectionsPerIp (256); opened over 2 s.
  const releases = ['127.0.1.1', '127.0.1.2'].map((a) => holdSockets(250, a, `GET /hang HTTP/1.1\r\nHost: ${host}\r\n\r\n`, false, 2000));
  await wait(until);
  releases.forEach((release) => release());
  return null;
});
await phase('keepalive', async (until) => {
  const statuses = {};
  await keepAliveVisitors(50, statuses, until, pace);
  return statuses;
});
await phase('slowbody', async (until) => {
  const release = holdSockets(300, '127.0.0.2', `POST /hello HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000000\r\n\r\n`, true, 2000);
  const statuses = {};
  await keepAliveVisitors(5, statuses, until, pace / 10);
  release();
  return statuses;
});
console.log('end');
process.exit(0);
