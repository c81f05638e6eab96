// The live-update stream: per-user filtering (an enterprise user gets only its own enterprise's events
// and notices; an auditor no alarms or queue calls), notices sent by the command centre, and a
// reconnect with Last-Event-ID replaying what was missed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suiteSetup, waitFor } from '../cloud/helpers.js';
import { Client, dropAfter, seed, SseReader, startConsoleCloud, type ConsoleCloud, type Seed } from '../auth/helpers.js';

describe('server-sent events', () => {
  let cloud: ConsoleCloud;
  let s: Seed;
  suiteSetup(async () => {
    cloud = await startConsoleCloud('sqlite');
    s = await seed(cloud);
  });
  dropAfter(() => cloud);

  test('each stream gets what its user may see; Last-Event-ID replays what a reconnecting tab missed', async () => {
    const cmd = await s.as('command');
    const a = await s.as('entA');
    const b = await s.as('entB');
    const streams = { cmd: await SseReader.open(cmd), a: await SseReader.open(a), b: await SseReader.open(b), auditor: await SseReader.open(await s.as('auditor')) };
    assert.equal((await SseReader.open(new Client(cloud.url))).status, 401);
    await waitFor('hello on every stream', () => Object.values(streams).every((x) => x.of('hello').length === 1));
    assert.deepEqual(streams.a.of('hello')[0].username, s.users.entA.username);

    await cmd.post('/api/notices', { enterpriseId: s.entA, title: '单证补正通知', body: '请于今日补交装箱单' });
    const ticketA = (await a.post('/api/queue/tickets', { kind: 'visitor', name: '甲' })).body;
    const ticketB = (await b.post('/api/queue/tickets', { kind: 'visitor', name: '乙' })).body;
    await cmd.post('/api/tasks', { title: 'customs only', checklist: [] });
    await waitFor('the command centre sees both tickets and the task', () => streams.cmd.of('queue').length >= 2 && streams.cmd.of('task').length >= 1);
    await waitFor('A sees its notice', () => streams.a.of('notice').length === 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(streams.a.of('queue').map((t) => t.id), [ticketA.id]);
    assert.deepEqual(streams.b.of('queue').map((t) => t.id), [ticketB.id]);
    assert.equal(streams.b.of('notice').length, 0, 'B gets no notice meant for A');
    assert.equal(streams.cmd.of('notice').length, 0, 'an enterprise notice is not pushed to customs staff');
    assert.equal(streams.a.of('task').length, 0);
    assert.equal(streams.auditor.of('queue').length, 0, 'the auditor holds no queue.read');
    assert.ok(streams.auditor.of('task').length >= 1, 'but reads tasks');

    // a tab that reconnects after the event with id N gets what came after it
    const lastSeen = streams.cmd.events.filter((e) => e.id !== null).at(-1)!.id!;
    await streams.cmd.close();
    const missed = (await cmd.post('/api/queue/tickets', { kind: 'truck', plate: '沪A88888' })).body;
    const again = await SseReader.open(cmd, '/api/events/stream', { 'last-event-id': lastSeen });
    const replayed = await waitFor('replayed ticket', () => again.of('queue').find((t) => t.id === missed.id));
    assert.equal(replayed.number, 'T001');
    assert.ok(again.events.every((e) => e.id === null || Number(e.id) > Number(lastSeen)), 'nothing older than Last-Event-ID');
    for (const x of [again, streams.a, streams.b, streams.auditor]) await x.close();
    const notices = (await a.get('/api/notices')).body;
    assert.equal(notices[0].title, '单证补正通知');
    assert.equal((await b.post(`/api/notices/${notices[0].id}/read`)).status, 404, 'not B’s to mark');
  });
});
