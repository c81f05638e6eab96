// Queue calling (排队叫号), video patrol log and the operations figures, on both SQL dialects. A queue call
// travels as a real downlink command: the test gateway (MQTT, enrolled like an edge) receives `queue.call`
// on qs/v1/{gw}/down/cmd with the window, ticket and text, answers on up/ack, and the ticket shows the
// edge's answer (pushed to the console as well).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '../../../shared/contracts/topics.js';
import { TestGateway } from '../cloud/publisher.js';
import { suiteSetup, waitFor } from '../cloud/helpers.js';
import { DIALECTS, dropAfter, seed, SseReader, startConsoleCloud, type ConsoleCloud, type Seed } from '../auth/helpers.js';

for (const dialect of DIALECTS) {
  describe(`queue, patrol and figures on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    let gw: TestGateway;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect);
      s = await seed(cloud);
      gw = await TestGateway.enrol(cloud.url, 'gate-2');
      await gw.connect();
    });
    dropAfter(() => cloud);

    test('tickets are numbered per day and kind; a call reaches the gateway as a queue.call downlink command', async () => {
      const cmd = await s.as('command');
      const ent = await s.as('entA');
      const entB = await s.as('entB');
      const live = await SseReader.open(cmd);
      const liveB = await SseReader.open(entB);
      const t1 = await cmd.post('/api/queue/tickets', { kind: 'truck', plate: '沪D·A1234' });
      const t2 = await cmd.post('/api/queue/tickets', { kind: 'truck', plate: '沪D·B5678' });
      const v1 = await ent.post('/api/queue/tickets', { kind: 'visitor', name: '张经理' });
      assert.deepEqual([t1.body.number, t2.body.number, v1.body.number], ['T001', 'T002', 'V001']);
      assert.equal(v1.body.enterpriseId, s.entA);
      assert.equal((await ent.post(`/api/queue/tickets/${v1.body.id}/call`, { window: 3 })).status, 403, 'enterprises do not call');

      const unset = await cmd.post(`/api/queue/tickets/${v1.body.id}/call`, { window: 3 });
      assert.equal(unset.status, 409);
      assert.equal(unset.body.error.code, 'CLOUD_SUPERVISION_QUEUE_WINDOW');
      assert.equal((await (await s.as('inspector')).put('/api/queue/windows/3', { gw: 'gate-2', terminal: 'qt-1' })).status, 403);
      const w = await s.admin.put('/api/queue/windows/3', { gw: 'gate-2', terminal: 'qt-1', led: 'led-1', label: '3号窗口 企业服务' });
      assert.equal(w.status, 200);

      const called = await cmd.post(`/api/queue/tickets/${v1.body.id}/call`, { window: 3 });
      assert.equal(called.status, 200, JSON.stringify(called.body));
      assert.equal(called.body.status, 'called');
      assert.equal(called.body.window, 3);
      assert.equal(called.body.command.status, 'pending');
      const down = (await waitFor('queue.call at the gateway', () => gw.commands.find((c) => (c as { id: string }).id === called.body.command.id))) as {
        id: string;
        target: string;
        op: string;
        args: Record<string, unknown>;
        expiresAt: number;
      };
      assert.equal(down.op, 'queue.call');
      assert.equal(down.target, 'qt-1');
      assert.deepEqual(down.args, { window: 3, ticket: 'V001', text: '请 V001 到 3 号窗口', led: 'led-1' });
      assert.ok(down.expiresAt > Date.now());
      // the command is in the gateway's command list like any other
      const list = await cmd.get('/api/gateways/gate-2/commands');
      assert.equal(list.body[0].id, down.id);

      // the edge answers: the ticket shows it, and the console is told
      await gw.publishRaw(topics.up(gw.gw, 'ack'), JSON.stringify({ id: down.id, status: 'done', detail: 'qt-1 calls V001 to window 3; led-1 line 1 shows "请 V001 到 3 号窗口"' }));
      await waitFor('command result stored', async () => (await cmd.get(`/api/queue/tickets`)).body.find((t: { id: string; command: { status: string } | null }) => t.id === v1.body.id && t.command?.status === 'done'));
      const pushed = await waitFor('queue answer over SSE', () => live.of('queue').find((t) => t.id === v1.body.id && t.command?.status === 'done'));
      assert.match(pushed.command.detail, /led-1/);
      assert.ok((await ent.get('/api/notices')).body.some((n: { kind: string }) => n.kind === 'queue.called'));
      assert.ok(liveB.of('queue').every((t) => t.enterpriseId === s.entB), 'enterprise B sees no ticket of A');

      const served = await cmd.post(`/api/queue/tickets/${v1.body.id}/status`, { status: 'served' });
      assert.equal(served.body.status, 'served');
      assert.ok(served.body.servedAt > 0);
      assert.equal((await cmd.post(`/api/queue/tickets/${v1.body.id}/call`, { window: 3 })).status, 409);
      assert.equal((await cmd.post(`/api/queue/tickets/${t1.body.id}/status`, { status: 'no_show' })).body.status, 'no_show');
      const waiting = (await cmd.get('/api/queue/tickets?status=waiting')).body.map((t: { number: string }) => t.number);
      assert.deepEqual(waiting, ['T002']);
      const audit = (await (await s.as('auditor')).get('/api/audit?action=queue.*&limit=50')).body.entries.map((e: { action: string }) => e.action);
      for (const a of ['queue.ticket', 'queue.window', 'queue.call', 'queue.status']) assert.ok(audit.includes(a), a);
      await live.close();
      await liveB.close();
    });

    test('video patrol: who watched which camera when; usage rate; operations figures', async () => {
      const insp = await s.as('inspector');
      const cmd = await s.as('command');
      for (const [id, name] of [
        ['cam-gate-2', '2号卡口'],
        ['cam-berth-5', '5号泊位'],
        ['cam-yard-1', '查验场地'],
        ['cam-quay-8', '8号码头'],
      ]) {
        assert.equal((await s.admin.put(`/api/patrol/cameras/${id}`, { name, gw: 'gate-2', device: id, hlsUrl: `/hls/${id}/index.m3u8` })).status, 200);
      }
      assert.equal((await insp.get('/api/patrol/cameras')).body.length, 4);
      const from = Date.now() - 1000;
      const a = await insp.post('/api/patrol/sessions', { camera: 'cam-gate-2' });
      assert.equal(a.status, 201);
      const b = await cmd.post('/api/patrol/sessions', { camera: 'cam-berth-5' });
      await new Promise((r) => setTimeout(r, 50));
      const ended = await insp.post(`/api/patrol/sessions/${a.body.id}/end`);
      assert.ok(ended.body.durationMs >= 50);
      assert.equal((await insp.post(`/api/patrol/sessions/${b.body.id}/end`)).status, 404, 'only your own session');
      assert.equal((await insp.post('/api/patrol/sessions', { camera: 'cam-nowhere' })).status, 404);
      assert.equal((await insp.get('/api/patrol/log')).status, 403, 'inspectors watch, the command centre reads the log');
      const log = await cmd.get(`/api/patrol/log?from=${from}`);
      assert.equal(log.status, 200);
      assert.deepEqual(
        log.body.entries.map((e: { camera: string; userName: string }) => [e.camera, e.userName]).sort(),
        [
          ['cam-berth-5', s.users.command.username],
          ['cam-gate-2', s.users.inspector.username],
        ],
      );
      assert.deepEqual({ cameras: log.body.usage.cameras, watched: log.body.usage.watched, rate: log.body.usage.rate }, { cameras: 4, watched: 2, rate: 0.5 });

      const f = await (await s.as('auditor')).get('/api/ops/figures');
      assert.equal(f.status, 200);
      assert.deepEqual(f.body.users, { customs: 5, enterprise: 2, pending: 0 });
      assert.equal(f.body.dataSources.gateways, 1);
      assert.equal(f.body.dataSources.gatewaysOnline, 1);
      assert.equal(f.body.dataSources.cameras, 4);
      assert.equal(f.body.dataSources.queueWindows, 1);
      assert.equal(f.body.patrol.rate, 0.5);
      assert.equal(f.body.localInspection.enterprises, 2);
      assert.ok(f.body.onlineUsers >= 4, `${f.body.onlineUsers} online`);
      assert.equal(f.body.priority.target, 0.95);
      assert.equal((await (await s.as('entA')).get('/api/ops/figures')).status, 403);
      await gw.close();
    });
  });
}
