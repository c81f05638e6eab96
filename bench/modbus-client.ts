/**
 * Modbus client benchmark: our TCP client against our TCP server on loopback, and the driver's CPU cost
 * per poll (TCP and RTU over a socat PTY), projected onto the gateway's load of 132 device polls/s.
 * The servers run in a child process so the figures are the client side's alone. Prints one JSON object.
 *
 *   node --import tsx bench/modbus-client.ts [--seconds 3]
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { modbusProfileSchema, type ModbusProfile } from '../shared/profile/schema.js';
import { ModbusClient, createModbusDriver, createModbusRtuTransport, createModbusTcpTransport } from '../edge/devices/modbus/index.js';
import { MemoryBank, bankSizesFor } from '../edge/simulators/modbus/memory-bank.js';
import { startModbusRtuServer } from '../edge/simulators/modbus/rtu-server.js';
import { startModbusTcpServer } from '../edge/simulators/modbus/tcp-server.js';
import type { UnitResolver } from '../edge/simulators/modbus/types.js';
import { createPtyPair } from '../edge/simulators/pty.js';

const SERIAL = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;
const L = (s: string) => ({ zh: s, en: s });
const DEVICE_POLLS_PER_S = 132;

/** A typical instrument: 10 points in two holding blocks and one input block. */
function benchProfile(type: 'modbus-tcp' | 'modbus-rtu'): ModbusProfile {
  const points = [
    ...['draft_fore', 'draft_aft', 'draft_mid_p', 'draft_mid_s'].map((name, i) => ({ name, table: 'holding', address: i * 2, type: 'float32', range: { min: 0, max: 30 } })),
    { name: 'trim', table: 'holding', address: 8, type: 'int16', scale: 0.01 },
    { name: 'status', table: 'holding', address: 9, type: 'bool', bit: 0 },
    { name: 'setpoint', table: 'holding', address: 40, type: 'uint16', scale: 0.1, writable: true, range: { min: 0, max: 100 } },
    { name: 'temp', table: 'input', address: 0, type: 'int16', scale: 0.1 },
    { name: 'density', table: 'input', address: 1, type: 'float32' },
    { name: 'serial_no', table: 'input', address: 3, type: 'uint32' },
  ].map((p) => ({ label: L(p.name), unit: '', ...p }));
  return modbusProfileSchema.parse({
    format: 'quayside.firmware-profile/1', version: 1, model: 'qs-bench', manufacturer: 'bench', kind: 'draft-gauge',
    name: L('bench'), description: L('bench'),
    transport: type === 'modbus-tcp' ? { type, responseTimeoutMs: 1000, retries: 0 } : { type, serial: SERIAL, responseTimeoutMs: 1000, retries: 0 },
    points, simulation: { model: 'vessel-drafts' },
  });
}

function resolverFor(profile: ModbusProfile): UnitResolver {
  const bank = new MemoryBank({ ...bankSizesFor(profile.points), holding: 200 });
  for (const p of profile.points) bank.setPoint(p, p.type === 'bool' ? true : 5);
  return { bank: (u) => (u >= 1 && u <= 16 ? bank : undefined), faults: () => ({}) };
}

// ---------------------------------------------------------------------------------------------
// Child: the servers

async function serve(): Promise<void> {
  const tcp = await startModbusTcpServer({ port: 0, units: resolverFor(benchProfile('modbus-tcp')) });
  let rtu: { close(): Promise<void> } | undefined;
  process.on('message', async (m: { rtuPath?: string; stop?: boolean }) => {
    if (m.rtuPath) {
      rtu = await startModbusRtuServer({ path: m.rtuPath, serial: SERIAL, units: resolverFor(benchProfile('modbus-rtu')) });
      process.send!({ rtuReady: true });
    }
    if (m.stop) {
      await rtu?.close();
      await tcp.close();
      process.exit(0);
    }
  });
  process.send!({ port: tcp.port });
}

// ---------------------------------------------------------------------------------------------
// Parent: the measurements

async function measure(seconds: number, op: () => Promise<unknown>): Promise<{ ops: number; opsPerS: number; cpuUsPerOp: number; wallUsPerOp: number }> {
  for (let i = 0; i < 200; i++) await op(); // warm-up (JIT, connection)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ops = 0;
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await op();
    ops++;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    ops,
    opsPerS: Math.round((ops / wall) * 1000),
    cpuUsPerOp: Math.round(((cpu.user + cpu.system) / ops) * 10) / 10,
    wallUsPerOp: Math.round(((wall * 1000) / ops) * 10) / 10,
  };
}

async function main(): Promise<void> {
  const secondsArg = process.argv.indexOf('--seconds');
  const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const pty = await createPtyPair();
  try {
    // 1. Raw client: sequential FC3 reads of 10 registers, one connection.
    const tcp = createModbusTcpTransport({ host: '127.0.0.1', port });
    const client = new ModbusClient(tcp, { unitId: 1, timeoutMs: 1000, retries: 0 });
    const raw = await measure(seconds, () => client.readHolding(0, 10));

    // 2. Four connections in parallel (four gateways' worth of TCP devices).
    const clients = Array.from({ length: 4 }, () => new ModbusClient(createModbusTcpTransport({ host: '127.0.0.1', port }), { unitId: 1, timeoutMs: 1000, retries: 0 }));
    const parallel = await measure(seconds, () => Promise.all(clients.map((c) => c.readHolding(0, 10))));

    // 3. Driver polls over TCP (3 blocks per poll).
    const tcpDriver = createModbusDriver({ deviceId: 'bench-tcp', profile: benchProfile('modbus-tcp'), transport: tcp });
    const tcpPoll = await measure(seconds, () => tcpDriver.readAll());

    // 4. Driver polls over RTU on a PTY (9600 baud settings: the inter-frame silence paces it).
    child.send({ rtuPath: pty.b });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    const rtu = createModbusRtuTransport({ path: pty.a, serial: SERIAL });
    const rtuDriver = createModbusDriver({ deviceId: 'bench-rtu', profile: benchProfile('modbus-rtu'), transport: rtu });
    const rtuPoll = await measure(seconds, () => rtuDriver.readAll());

    await Promise.all([tcp.close(), rtu.close(), ...clients.map((c) => c.transport.close())]);
    const pct = (cpuUs: number) => Math.round(((cpuUs * DEVICE_POLLS_PER_S) / 1e6) * 1000) / 10;
    console.log(
      JSON.stringify({
        bench: 'modbus-client',
        node: process.version,
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        secondsPerCase: seconds,
        note: 'server in a child process; cpu figures are the client process only; a PTY ignores the baud rate',
        tcpClientSequential: { requestsPerS: raw.opsPerS, cpuUsPerRequest: raw.cpuUsPerOp, latencyUs: raw.wallUsPerOp },
        tcpClient4Connections: { requestsPerS: parallel.opsPerS * 4, cpuUsPerRequest: Math.round((parallel.cpuUsPerOp / 4) * 10) / 10 },
        driverPollTcp: { blocksPerPoll: tcpDriver.plan.length, pollsPerS: tcpPoll.opsPerS, cpuUsPerPoll: tcpPoll.cpuUsPerOp, cpuPctOfOneCoreAt132PollsPerS: pct(tcpPoll.cpuUsPerOp) },
        driverPollRtu: { blocksPerPoll: rtuDriver.plan.length, pollsPerS: rtuPoll.opsPerS, cpuUsPerPoll: rtuPoll.cpuUsPerOp, cpuPctOfOneCoreAt132PollsPerS: pct(rtuPoll.cpuUsPerOp) },
      }),
    );
  } finally {
    child.send({ stop: true });
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await pty.close();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
