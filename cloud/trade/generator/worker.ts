/** Generator worker: rebuilds the world from the same parameters, then writes the months it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeMonthFile } from './index.js';
import { buildWorld, type GenParams } from './world.js';

const { params, out } = workerData as { params: GenParams; out: string };
const world = buildWorld(params);
parentPort!.on('message', (msg: { m: number; days: { day: number; rows: number }[] }) => {
  const n = writeMonthFile(world, msg.m, msg.days, out);
  parentPort!.postMessage({ done: n });
});
parentPort!.postMessage({ ready: true });
