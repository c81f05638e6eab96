// Inspection tasks end to end, on both SQL dialects, with a test gateway publishing real MQTT data:
// created by hand (priority, deadline), assigned, started, checklist, evidence (a JPEG stored with its
// SM3 and checked on the way out, the newest reading of an edge device, an ingested draft survey, a
// note), completed; the fulfilment rate; an alarm from the edge → pushed over SSE → acknowledged with a
// comment → a rule turns the next alarm into a task. Every step leaves an audit entry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readings, TestGateway } from '../cloud/publisher.js';
import { suiteSetup, waitFor } from '../cloud/helpers.js';
import { Client, DIALECTS, dropAfter, seed, SseReader, startConsoleCloud, type ConsoleCloud, type Seed } from '../auth/helpers.js';

for (const dialect of DIALECTS) {
  describe(`inspection tasks on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    let gw: TestGateway;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect);
      s = await seed(cloud);
      gw = await TestGateway.enrol(cloud.url, 'quay-t1');
      await gw.connect();
    });
    dropAfter(() => cloud);

    test('lifecycle: create (priority) → assign → start → checklist → evidence → complete, on time', async () => {
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const now = Date.now();
      const created = await cmd.post('/api/tasks', { title: '优先查检 集装箱 MSKU1234565', priority: true, deadlineAt: now + 3_600_000, checklist: ['核对箱号', '查验铅封', '拍照'], subject: { container: 'MSKU1234565' } });
      assert.equal(created.status, 201);
      const t = created.body;
      assert.equal(t.status, 'open');
      assert.equal(t.priority, true);
      assert.deepEqual(t.checklist.map((c: { id: string }) => c.id), ['c1', 'c2', 'c3']);

      // an inspector cannot work a task that is not theirs
      assert.equal((await insp.post(`/api/tasks/${t.id}/start`)).status, 409);
      assert.equal((await cmd.post(`/api/tasks/${t.id}/assign`, { assigneeId: s.users.entA.id })).status, 400, 'only inspectors');
      const assigned = await cmd.post(`/api/tasks/${t.id}/assign`, { assigneeId: s.users.inspector.id });
      assert.equal(assigned.body.status, 'assigned');
      assert.equal(assigned.body.assigneeName, s.users.inspector.username);
      const other = await s.as('inspector2');
      assert.equal((await other.post(`/api/tasks/${t.id}/start`)).status, 409);
      assert.equal((await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'note', text: 'too early' })).status, 409, 'evidence only while in progress');
      const started = await insp.post(`/api/tasks/${t.id}/start`);
      assert.equal(started.body.status, 'in_progress');
      assert.ok(started.body.startedAt >= now);

      // evidence: a photo (stored under dataDir with its SM3), an edge reading, a survey, a note
      const jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3a6ea5' } }).jpeg().toBuffer();
      const photo = await insp.req('POST', `/api/tasks/${t.id}/photos?name=seal.jpg`, new Uint8Array(jpeg), { headers: { 'content-type': 'image/jpeg' } });
      assert.equal(photo.status, 201, JSON.stringify(photo.body));
      assert.equal(photo.body.kind, 'photo');
      assert.equal(photo.body.data.bytes, jpeg.length);
      const { sm3Hex } = await import('../../../shared/crypto/sm3.js');
      assert.equal(photo.body.sm3, sm3Hex(jpeg));
      const file = path.join(cloud.dataDir, photo.body.data.file);
      assert.deepEqual(fs.readFileSync(file), jpeg);
      const back = await cmd.raw('GET', `/api/tasks/${t.id}/evidence/${photo.body.id}/file`);
      assert.equal(back.status, 200);
      assert.equal(back.headers.get('x-sm3'), sm3Hex(jpeg));
      assert.deepEqual(Buffer.from(await back.arrayBuffer()), jpeg);
      const notImage = await insp.req('POST', `/api/tasks/${t.id}/photos`, new Uint8Array(Buffer.from('GIF89a not allowed')), { headers: { 'content-type': 'image/jpeg' } });
      assert.equal(notImage.status, 400);
      assert.equal(notImage.body.error.code, 'CLOUD_SUPERVISION_EVIDENCE');

      const seq = await gw.publish(gw.envelope('telemetry', readings(3, { device: 'sdm-1', point: 'density', start: Date.now() - 3000, value: (i) => 1024.5 + i / 10 })));
      await gw.waitCommitted([seq]);
      const reading = await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'reading', gw: 'quay-t1', device: 'sdm-1', point: 'density' });
      assert.equal(reading.status, 201, JSON.stringify(reading.body));
      assert.equal(reading.body.data.source, 'edge');
      assert.equal(reading.body.data.value, 1024.7);
      assert.equal((await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'reading', gw: 'quay-t1', device: 'sdm-1', point: 'nope' })).status, 422);

      const sseq = await gw.publish(gw.envelope('survey', [{ id: 'sv-1', ts: Date.now(), vessel: { name: 'MV Ocean Pearl', imo: '9074729' }, stage: 'initial', status: 'completed', report: { displacement_t: 45210.3 } }]));
      await gw.waitCommitted([sseq]);
      const survey = await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'survey', gw: 'quay-t1', surveyId: 'sv-1' });
      assert.equal(survey.status, 201);
      assert.equal(survey.body.data.vessel, 'MV Ocean Pearl');
      assert.equal((await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'survey', gw: 'quay-t1', surveyId: 'sv-404' })).status, 400);
      assert.equal((await insp.post(`/api/tasks/${t.id}/evidence`, { kind: 'note', text: '铅封完好 seal intact' })).status, 201);

      // completing needs every checklist item
      const early = await insp.post(`/api/tasks/${t.id}/complete`, { result: 'pass' });
      assert.equal(early.status, 409);
      for (const c of ['c1', 'c2', 'c3']) assert.equal((await insp.patch(`/api/tasks/${t.id}/checklist/${c}`, { done: true, note: c === 'c2' ? 'seal 0421337' : null })).status, 200);
      const done = await insp.post(`/api/tasks/${t.id}/complete`, { result: 'pass', note: '无异常' });
      assert.equal(done.status, 200);
      assert.equal(done.body.status, 'done');
      assert.equal(done.body.onTime, true);
      const full = await cmd.get(`/api/tasks/${t.id}`);
      assert.deepEqual(full.body.evidence.map((e: { kind: string }) => e.kind), ['photo', 'reading', 'survey', 'note']);
      assert.equal((await insp.post(`/api/tasks/${t.id}/complete`, { result: 'pass' })).status, 409, 'done is final');

      // tampering with the stored photo is detected on the way out
      fs.writeFileSync(file, Buffer.concat([jpeg, Buffer.from([0])]));
      const tampered = await cmd.get(`/api/tasks/${t.id}/evidence/${photo.body.id}/file`);
      assert.equal(tampered.status, 409);
      assert.equal(tampered.body.error.code, 'CLOUD_SUPERVISION_INTEGRITY');

      const audit = await (await s.as('auditor')).get(`/api/audit?action=task.*&limit=100`);
      const mine = audit.body.entries.filter((e: { targetId: string }) => e.targetId === t.id).map((e: { action: string }) => e.action).reverse();
      assert.deepEqual(mine, ['task.create', 'task.assign', 'task.start', 'task.evidence', 'task.evidence', 'task.evidence', 'task.evidence', 'task.checklist', 'task.checklist', 'task.checklist', 'task.complete']);
    });

    test('priority fulfilment: on time, late and overdue-open tasks give the rate', async () => {
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const now = Date.now();
      const late = await cmd.post('/api/tasks', { title: 'late one', priority: true, deadlineAt: now + 1500, checklist: [], assigneeId: s.users.inspector.id });
      const overdue = await cmd.post('/api/tasks', { title: 'overdue one', priority: true, deadlineAt: now + 1000, checklist: [] });
      assert.equal(late.status, 201);
      assert.equal(overdue.status, 201);
      assert.equal((await cmd.post('/api/tasks', { title: 'no deadline', priority: true, checklist: [] })).status, 400);
      await insp.post(`/api/tasks/${late.body.id}/start`);
      await new Promise((r) => setTimeout(r, 1600));
      assert.equal((await insp.post(`/api/tasks/${late.body.id}/complete`, { result: 'anomaly', note: 'late' })).body.onTime, false);
      const stats = await cmd.get(`/api/tasks/priority/stats?from=${now - 10_000}&to=${now + 7_200_000}`);
      assert.equal(stats.status, 200);
      assert.deepEqual({ onTime: stats.body.onTime, late: stats.body.late, overdueOpen: stats.body.overdueOpen, target: stats.body.target }, { onTime: 1, late: 1, overdueOpen: 1, target: 0.95 });
      assert.ok(Math.abs(stats.body.rate - 1 / 3) < 1e-9);
      assert.equal((await cmd.post(`/api/tasks/${overdue.body.id}/cancel`, { reason: 'vessel left' })).body.status, 'cancelled');
    });

    test('an edge alarm is pushed live, acknowledged with a comment; a rule makes the next one a task', async () => {
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const streamCmd = await SseReader.open(cmd);
      const streamEnt = await SseReader.open(await s.as('entA'));
      assert.equal(streamCmd.status, 200);
      const alarm = (id: string, action = 'raised') => ({ id, ts: Date.now(), device: 'sdm-1', kind: 'alarm', value: `${action}: density above limit`, attrs: { severity: 'warning', point: 'density', action } });
      const s1 = await gw.publish(gw.envelope('event', [alarm('ev-a1')]));
      await gw.waitCommitted([s1]);
      const pushed = await waitFor('alarm over SSE', () => streamCmd.of('alarm').find((a) => a.id === 'ev-a1'));
      assert.equal(pushed.gw, 'quay-t1');
      assert.equal(pushed.point, 'density');
      assert.equal(pushed.ack, null);
      const open = await insp.get('/api/monitor/alarms?state=open');
      assert.ok(open.body.some((a: { id: string }) => a.id === 'ev-a1'));
      assert.equal((await insp.post('/api/monitor/alarms/quay-t1/ev-a1/ack', {})).status, 400, 'a comment is required');
      const acked = await insp.post('/api/monitor/alarms/quay-t1/ev-a1/ack', { comment: '探头清洗后恢复 probe cleaned' });
      assert.equal(acked.status, 200);
      assert.equal(acked.body.ack.comment, '探头清洗后恢复 probe cleaned');
      assert.equal(acked.body.ack.byName, s.users.inspector.username);
      assert.equal((await insp.post('/api/monitor/alarms/quay-t1/ev-a1/ack', { comment: 'again' })).status, 409);
      assert.ok(!(await insp.get('/api/monitor/alarms?state=open')).body.some((a: { id: string }) => a.id === 'ev-a1'));
      assert.ok((await insp.get('/api/monitor/alarms?state=acked')).body.some((a: { id: string }) => a.id === 'ev-a1'));

      const rule = await cmd.post('/api/task-rules', { name: 'density alarm → inspection', match: { device: 'sdm-1', severity: 'warning' }, task: { title: '密度异常核查 density check', checklist: ['现场核查探头'], priority: true, deadlineMinutes: 60 } });
      assert.equal(rule.status, 201);
      const s2 = await gw.publish(gw.envelope('event', [alarm('ev-a2'), alarm('ev-a3', 'cleared')]));
      await gw.waitCommitted([s2]);
      const task = await waitFor('rule task over SSE', () => streamCmd.of('task').find((t) => t.source === 'rule'));
      assert.equal(task.ruleId, rule.body.id);
      assert.equal(task.subject.alarm.id, 'ev-a2');
      assert.equal(task.priority, true);
      await cloud.console.poller.tick();
      const ruled = (await cmd.get('/api/tasks')).body.filter((t: { source: string }) => t.source === 'rule');
      assert.equal(ruled.length, 1, 'once per (rule, alarm); a cleared alarm makes none');

      // devices view: health and open alarms from what ingest stored
      const devices = await insp.get('/api/monitor/gateways/quay-t1/devices');
      const sdm = devices.body.find((d: { device: string }) => d.device === 'sdm-1');
      assert.equal(sdm.health, 'ok');
      assert.equal(sdm.openAlarms, 1);
      const gws = await cmd.get('/api/monitor/gateways');
      assert.equal(gws.body.find((g: { id: string }) => g.id === 'quay-t1').online, true);

      await streamCmd.close();
      await streamEnt.close();
      assert.equal(streamEnt.of('alarm').length, 0, 'enterprise users get no alarms');
      assert.equal(streamEnt.of('task').length, 0, 'nor customs tasks');
      await gw.close();
    });
  });
}
