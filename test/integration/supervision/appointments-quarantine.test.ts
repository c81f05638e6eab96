// Local inspection appointments (属地查检) and ship health quarantine (船舶卫生检疫), on both SQL dialects:
//   - an enterprise books a slot; customs accepts (→ a `local` task), reschedules (new slot, → a task)
//     or rejects; the enterprise is notified (in-app list and live stream); the task's completion marks
//     the appointment done;
//   - an arrival declaration with a suggested decision; boarding creates a priority task; ballast water
//     reports from the edge's density monitor compute the salinity and flag a claimed exchange at sea
//     that brackish water (< 30 PSU) makes implausible; a manual oceanic reading is not flagged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readings, TestGateway } from '../cloud/publisher.js';
import { suiteSetup, waitFor } from '../cloud/helpers.js';
import { DIALECTS, dropAfter, seed, SseReader, startConsoleCloud, type ConsoleCloud, type Seed } from '../auth/helpers.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`appointments and quarantine on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect, { supervision: { riskPorts: ['BRSSZ'] } });
      s = await seed(cloud);
    });
    dropAfter(() => cloud);

    test('booking → accept → local task → inspection → appointment done; the enterprise is told each step', async () => {
      const ent = await s.as('entA');
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const live = await SseReader.open(ent);
      const t0 = Date.now() + 24 * HOUR;
      const booked = await ent.post('/api/appointments', { goods: '进口红酒 1200 箱', location: '外高桥保税区 甲贸易 2号仓', slotStart: t0, slotEnd: t0 + 2 * HOUR, contactPhone: '+86 139 1234 5678', note: '需叉车' });
      assert.equal(booked.status, 201);
      assert.equal(booked.body.status, 'requested');
      assert.equal(booked.body.enterpriseId, s.entA);
      assert.equal(booked.body.enterpriseName, '上海甲贸易有限公司');
      assert.equal(booked.body.contactPhone, '+86 139 1234 5678');
      assert.equal((await cmd.post('/api/appointments', { goods: 'x', location: 'y', slotStart: t0, slotEnd: t0 + 1 })).status, 403, 'customs do not book');
      assert.equal((await ent.post('/api/appointments', { goods: 'x', location: 'y', slotStart: t0, slotEnd: t0 })).status, 400);
      assert.equal((await ent.post(`/api/appointments/${booked.body.id}/decision`, { decision: 'accept' })).status, 403, 'an enterprise does not decide');

      const decided = await cmd.post(`/api/appointments/${booked.body.id}/decision`, { decision: 'accept', note: '请备齐单证', assigneeId: s.users.inspector.id });
      assert.equal(decided.status, 200);
      assert.equal(decided.body.status, 'accepted');
      const taskId = decided.body.taskId as string;
      assert.ok(taskId);
      assert.equal((await cmd.post(`/api/appointments/${booked.body.id}/decision`, { decision: 'reject' })).status, 409, 'decided once');

      const task = (await ent.get(`/api/tasks/${taskId}`)).body;
      assert.equal(task.kind, 'local');
      assert.equal(task.source, 'appointment');
      assert.equal(task.enterpriseId, s.entA);
      assert.equal(task.assigneeId, s.users.inspector.id);
      assert.equal(task.deadlineAt, t0 + 2 * HOUR);
      await waitFor('notice over SSE', () => live.of('notice').find((n) => n.kind === 'appointment.accepted'));
      assert.ok(live.of('task').some((t) => t.id === taskId), 'the enterprise sees its own task live');

      assert.equal((await insp.post(`/api/tasks/${taskId}/start`)).status, 200);
      for (const item of task.checklist) assert.equal((await insp.patch(`/api/tasks/${taskId}/checklist/${item.id}`, { done: true })).status, 200);
      assert.equal((await insp.post(`/api/tasks/${taskId}/evidence`, { kind: 'note', text: '货证相符' })).status, 201);
      assert.equal((await insp.post(`/api/tasks/${taskId}/complete`, { result: 'pass' })).status, 200);
      const after = await ent.get(`/api/appointments/${booked.body.id}`);
      assert.equal(after.body.status, 'done');
      const notices = (await ent.get('/api/notices')).body.map((n: { kind: string }) => n.kind);
      assert.ok(notices.includes('appointment.accepted') && notices.includes('task.done'), notices.join(','));
      const unread = (await ent.get('/api/notices?unread=1')).body;
      const read = await ent.post(`/api/notices/${unread[0].id}/read`);
      assert.ok(read.body.readAt > 0);
      assert.equal((await ent.get('/api/notices?unread=1')).body.length, unread.length - 1);
      await live.close();
    });

    test('reschedule moves the slot and still creates the task; reject creates none; the enterprise may cancel while requested', async () => {
      const ent = await s.as('entB');
      const cmd = await s.as('command');
      const t0 = Date.now() + 48 * HOUR;
      const a1 = (await ent.post('/api/appointments', { goods: '冷链海鲜', location: '乙物流冷库', slotStart: t0, slotEnd: t0 + HOUR })).body;
      const re = await cmd.post(`/api/appointments/${a1.id}/decision`, { decision: 'reschedule', slotStart: t0 + 3 * HOUR, slotEnd: t0 + 4 * HOUR, note: '原时段查验力量不足' });
      assert.equal(re.body.status, 'rescheduled');
      assert.equal(re.body.slotStart, t0 + 3 * HOUR);
      assert.ok(re.body.taskId);
      assert.equal((await cmd.post(`/api/appointments/${a1.id}/decision`, { decision: 'reschedule' })).status, 409);
      const a2 = (await ent.post('/api/appointments', { goods: '二手设备', location: '乙物流仓', slotStart: t0, slotEnd: t0 + HOUR })).body;
      assert.equal((await cmd.post(`/api/appointments/${a2.id}/decision`, { decision: 'reschedule' })).status, 400, 'a reschedule needs the new slot');
      const rej = await cmd.post(`/api/appointments/${a2.id}/decision`, { decision: 'reject', note: '不属于属地查检范围' });
      assert.equal(rej.body.status, 'rejected');
      assert.equal(rej.body.taskId, null);
      const a3 = (await ent.post('/api/appointments', { goods: '样品', location: '乙物流仓', slotStart: t0, slotEnd: t0 + HOUR })).body;
      assert.equal((await ent.post(`/api/appointments/${a3.id}/cancel`)).body.status, 'cancelled');
      assert.equal((await ent.post(`/api/appointments/${a1.id}/cancel`)).status, 409);
      const kinds = (await ent.get('/api/notices')).body.map((n: { kind: string }) => n.kind);
      assert.ok(kinds.includes('appointment.rescheduled') && kinds.includes('appointment.rejected'));
    });

    test('quarantine: declaration with suggestion → boarding decision → task; ballast from the edge flags an implausible exchange', async () => {
      const ent = await s.as('entA');
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const eta = Date.now() + 6 * HOUR;
      assert.equal((await ent.post('/api/quarantine', { vesselName: 'X', imo: '9074728', eta, lastPorts: [], crewCount: 10, illCrew: 0 })).status, 400, 'IMO check digit');
      assert.equal((await ent.post('/api/quarantine', { vesselName: 'X', imo: '9074729', eta, lastPorts: [], crewCount: 1, illCrew: 2 })).status, 400);
      const healthy = await ent.post('/api/quarantine', { vesselName: 'MV Calm Sea', imo: 'IMO 9074729', eta, lastPorts: ['SGSIN', 'KRPUS'], crewCount: 22, illCrew: 0 });
      assert.equal(healthy.status, 201);
      assert.equal(healthy.body.imo, '9074729');
      assert.equal(healthy.body.suggestion.decision, 'remote');
      const sick = await ent.post('/api/quarantine', { vesselName: 'MV Fever Bay', imo: '9176187', voyage: '2611E', eta, lastPorts: ['BRSSZ', 'ZADUR'], crewCount: 24, illCrew: 2, illDetails: '2 crew with fever since 3 days' });
      assert.equal(sick.status, 201);
      assert.equal(sick.body.suggestion.decision, 'boarding');
      assert.match(sick.body.suggestion.reasons.join(' '), /2 crew.*ill/);
      assert.match(sick.body.suggestion.reasons.join(' '), /BRSSZ/);

      assert.equal((await ent.post(`/api/quarantine/${sick.body.id}/decision`, { decision: 'remote', reasons: ['x'] })).status, 403);
      assert.equal((await insp.post(`/api/quarantine/${sick.body.id}/decision`, { decision: 'boarding', reasons: [] })).status, 400, 'reasons are required');
      const decided = await insp.post(`/api/quarantine/${sick.body.id}/decision`, { decision: 'boarding', reasons: ['有发热船员', '来自风险港口'] });
      assert.equal(decided.status, 200);
      assert.equal(decided.body.decision, 'boarding');
      const task = (await cmd.get(`/api/tasks/${decided.body.taskId}`)).body;
      assert.equal(task.kind, 'quarantine');
      assert.equal(task.priority, true);
      assert.equal(task.enterpriseId, s.entA);
      assert.equal((await insp.post(`/api/quarantine/${sick.body.id}/decision`, { decision: 'remote', reasons: ['again'] })).status, 409);
      assert.equal((await cmd.post(`/api/quarantine/${healthy.body.id}/decision`, { decision: 'remote', reasons: ['无异常'] })).body.taskId, null);
      assert.ok((await ent.get('/api/notices')).body.some((n: { kind: string; title: string }) => n.kind === 'quarantine.decided' && /Fever Bay/.test(n.title)));

      // the ship's ballast, measured at the quay by the density monitor behind gateway quay-q1
      const gw = await TestGateway.enrol(cloud.url, 'quay-q1');
      await gw.connect();
      const ts = Date.now() - 2000;
      const seq = await gw.publish(
        gw.envelope('telemetry', [
          ...readings(1, { device: 'sdm-2', point: 'density', start: ts, value: () => 1002.0 }).map((r) => ({ ...r, unit: 'kg/m3' })),
          ...readings(1, { device: 'sdm-2', point: 'temperature', start: ts, value: () => 20.0 }).map((r) => ({ ...r, unit: 'degC' })),
          ...readings(1, { device: 'sdm-2', point: 'salinity', start: ts, value: () => 4.9 }).map((r) => ({ ...r, unit: 'PSU' })),
        ]),
      );
      await gw.waitCommitted([seq]);
      const flagged = await insp.post(`/api/quarantine/${sick.body.id}/ballast`, { tank: 'No.2 WBT (P)', exchangeClaimed: true, exchangeMethod: 'sequential', exchangePosition: '32°10′S 045°20′E', fromEdge: { gw: 'quay-q1', device: 'sdm-2' } });
      assert.equal(flagged.status, 201, JSON.stringify(flagged.body));
      assert.equal(flagged.body.source, 'edge');
      assert.equal(flagged.body.densityKgM3, 1002);
      assert.equal(flagged.body.temperatureC, 20);
      assert.ok(flagged.body.salinityPsu > 3 && flagged.body.salinityPsu < 7, `${flagged.body.salinityPsu} PSU`);
      assert.equal(flagged.body.flag, true);
      assert.match(flagged.body.note, /below 30 PSU although an exchange is recorded/);
      assert.equal(flagged.body.sourceRef.deviceSalinityPsu, 4.9);
      const oceanic = await ent.post(`/api/quarantine/${sick.body.id}/ballast`, { tank: 'No.3 WBT (S)', exchangeClaimed: true, densityKgM3: 1025.9, temperatureC: 15.0 });
      assert.equal(oceanic.status, 201);
      assert.ok(oceanic.body.salinityPsu > 33 && oceanic.body.salinityPsu < 37, `${oceanic.body.salinityPsu} PSU`);
      assert.equal(oceanic.body.flag, false);
      const notClaimed = await ent.post(`/api/quarantine/${sick.body.id}/ballast`, { tank: 'Fore peak', exchangeClaimed: false, densityKgM3: 1002, temperatureC: 20 });
      assert.equal(notClaimed.body.flag, false, 'brackish but no exchange claimed: no flag');
      assert.equal((await insp.post(`/api/quarantine/${sick.body.id}/ballast`, { tank: 'x', exchangeClaimed: true, fromEdge: { gw: 'quay-q1', device: 'nothing' } })).status, 422);
      const full = await cmd.get(`/api/quarantine/${sick.body.id}`);
      assert.deepEqual(full.body.ballast.map((b: { tank: string; flag: boolean }) => [b.tank, b.flag]), [['No.2 WBT (P)', true], ['No.3 WBT (S)', false], ['Fore peak', false]]);
      const figures = await cmd.get('/api/ops/figures');
      assert.equal(figures.body.quarantine.declarations, 2);
      assert.equal(figures.body.quarantine.decided, 2);
      assert.equal(figures.body.quarantine.usageRate, 1);
      assert.equal(figures.body.quarantine.ballastFlags, 1);
      await gw.close();
    });
  });
}
