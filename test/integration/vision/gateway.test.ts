/**
 * Cameras in the running gateway: a configured camera (a looping video file through ffmpeg) is read
 * by the real models; the plate lands in the edge store's events, shows in /api/cameras with its
 * snapshot (served, SM3 as stored), reaches the bus for flows, and goes up to the cloud through the
 * sync with its value, confidence and snapshot hash intact.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startGateway, type Gateway } from '../../../edge/app.js';
import type { VisionDetection } from '../../../edge/bus.js';
import { sm3Hex } from '../../../edge/vision/events.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';
import { createGateway, quiet, startTestCloud, tmpDir, waitFor, writeGatewayConfig, type TestCloud } from '../sync/helpers.js';
import { PLATE_TEXT, plateVideo } from '../../../edge/vision/synthetic/plate-scene.js';

const GW = 'gw-vision';
let dir: string;
let cloud: TestCloud;
let gateway: Gateway | undefined;

before(async () => {
  dir = tmpDir('vision');
  cloud = await startTestCloud(path.join(dir, 'cloud'));
});
after(async () => {
  await gateway?.stop();
  await cloud?.stop();
  await releaseSessions();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface ApiEvent {
  seq: number;
  camera: string;
  kind: string;
  value: string | number;
  confidence: number;
  snapshotPath: string;
  snapshotSm3: string;
}

describe('vision in the gateway', { timeout: 180_000 }, () => {
  it('stores a plate seen by a camera, serves it with its snapshot, hands it to flows and syncs it to the cloud', async () => {
    const video = await plateVideo(dir, 3);
    const token = await createGateway(cloud.url, GW);
    const file = writeGatewayConfig(dir, { gw: GW, cloud: { enrolment: { url: cloud.url, token } } });
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    cfg['cameras'] = [{ id: 'gate-1', url: video, fps: 2, width: 640, height: 360, analyses: ['plate'], queue: 1, loop: true }];
    fs.writeFileSync(file, JSON.stringify(cfg));
    gateway = await startGateway({ configPath: file, logDestination: quiet });
    const seen: VisionDetection[] = [];
    gateway.bus.on('vision.detection', (d) => void seen.push(d));

    const api = async <T>(p: string): Promise<T> => (await (await fetch(`${gateway!.url}${p}`)).json()) as T;
    const events = await waitFor('a plate event', async () => {
      const list = await api<ApiEvent[]>('/api/cameras/events?camera=gate-1&kind=plate');
      return list.length ? list : undefined;
    }, 120_000, 250);
    const e = events[0]!;
    assert.equal(e.value, PLATE_TEXT);
    assert.ok(e.confidence >= 0.6 && e.confidence <= 1);

    const snap = await fetch(`${gateway.url}/api/cameras/${e.snapshotPath}`);
    assert.equal(snap.status, 200);
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    assert.equal(sm3Hex(new Uint8Array(await snap.arrayBuffer())), e.snapshotSm3, 'the served snapshot is the one hashed');
    assert.equal((await fetch(`${gateway.url}/api/cameras/snapshots/gate-1/2026-01-01/..%2F..%2Fgateway.db`)).status, 404);
    assert.equal((await fetch(`${gateway.url}/api/cameras/events?kind=banana`)).status, 400);

    const status = await api<{ state: string; cameras: Array<{ id: string; state: string; framesIn: number }> }>('/api/cameras');
    assert.equal(status.state, 'running');
    assert.ok(status.cameras[0]!.framesIn > 0);
    await waitFor('the bus saw it', () => seen.find((d) => d.kind === 'plate' && d.value === PLATE_TEXT), 10_000);

    // In the cloud: value, confidence and the snapshot's SM3 as the edge stored them.
    const row = await waitFor('the cloud has it', () => {
      const db = new Database(path.join(cloud.dataDir, 'cloud.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare("SELECT device, value, confidence, data FROM events WHERE gw = ? AND kind = 'plate' ORDER BY ts LIMIT 1").get(GW) as
          | { device: string; value: string; confidence: number; data: string }
          | undefined;
      } finally {
        db.close();
      }
    }, 30_000, 200);
    assert.equal(row.device, 'gate-1');
    assert.equal(JSON.parse(row.value), PLATE_TEXT);
    assert.ok(Math.abs(row.confidence - e.confidence) < 1e-9);
    assert.match(row.data, new RegExp(e.snapshotSm3));
  });
});
