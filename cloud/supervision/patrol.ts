/**
 * Video patrol (视频巡查): the cameras the console can show (an HLS URL from the RTSP → HLS remux at the
 * edge or in the cloud), and the patrol log — who watched which camera from when to when. The usage rate
 * is the share of registered cameras watched at least once in a period.
 */
import { QuaysideError } from '../../shared/errors.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { SupervisionDeps } from './context.js';

export interface CameraView {
  id: string;
  gw: string | null;
  device: string | null;
  name: string;
  hlsUrl: string | null;
}

export interface PatrolEntry {
  id: number;
  camera: string;
  userId: string;
  userName: string | null;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
}

export class PatrolService {
  constructor(private readonly d: SupervisionDeps) {}

  async cameras(): Promise<CameraView[]> {
    const rows = await this.d.db.selectFrom('cameras').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, gw: r.gw, device: r.device, name: r.name, hlsUrl: r.hls_url }));
  }

  async putCamera(p: Principal, c: CameraView): Promise<CameraView> {
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('cameras')
        .values({ id: c.id, gw: c.gw, device: c.device, name: c.name, hls_url: c.hlsUrl, updated_at: this.d.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ gw: eb.ref('excluded.gw'), device: eb.ref('excluded.device'), name: eb.ref('excluded.name'), hls_url: eb.ref('excluded.hls_url'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'camera.put', targetType: 'camera', targetId: c.id, detail: { ...c } });
    });
    return c;
  }

  async start(p: Principal, camera: string): Promise<PatrolEntry> {
    const cam = await this.d.db.selectFrom('cameras').select('id').where('id', '=', camera).executeTakeFirst();
    if (!cam) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `camera ${camera}`);
    const startedAt = this.d.now();
    let id = 0;
    await this.d.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('patrol_log').values({ user_id: p.userId ?? p.username, camera, started_at: startedAt, ended_at: null }).returning('id').executeTakeFirstOrThrow();
      id = Number(row.id);
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'patrol.start', targetType: 'camera', targetId: camera, detail: { session: id } });
    });
    return { id, camera, userId: p.userId ?? p.username, userName: p.displayName, startedAt, endedAt: null, durationMs: null };
  }

  async end(p: Principal, id: number): Promise<PatrolEntry> {
    const r = await this.d.db.selectFrom('patrol_log').selectAll().where('id', '=', id).where('user_id', '=', p.userId ?? p.username).executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `patrol session ${id}`);
    if (r.ended_at !== null) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `patrol session ${id} has ended`);
    const endedAt = this.d.now();
    await this.d.db.transaction().execute(async (trx) => {
      await trx.updateTable('patrol_log').set({ ended_at: endedAt }).where('id', '=', id).execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'patrol.end', targetType: 'camera', targetId: r.camera, detail: { session: id, durationMs: endedAt - Number(r.started_at) } });
    });
    return { id, camera: r.camera, userId: r.user_id, userName: p.displayName, startedAt: Number(r.started_at), endedAt, durationMs: endedAt - Number(r.started_at) };
  }

  async log(from: number, to: number, limit = 1000): Promise<{ entries: PatrolEntry[]; usage: { cameras: number; watched: number; rate: number | null; minutes: number } }> {
    const rows = await this.d.db
      .selectFrom('patrol_log as l')
      .leftJoin('users as u', 'u.id', 'l.user_id')
      .selectAll('l')
      .select('u.display_name')
      .where('l.started_at', '>=', from)
      .where('l.started_at', '<=', to)
      .orderBy('l.started_at', 'desc')
      .limit(limit)
      .execute();
    const entries = rows.map((r) => ({
      id: Number(r.id),
      camera: r.camera,
      userId: r.user_id,
      userName: r.display_name,
      startedAt: Number(r.started_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
      durationMs: r.ended_at === null ? null : Number(r.ended_at) - Number(r.started_at),
    }));
    return { entries, usage: await this.usage(from, to) };
  }

  async usage(from: number, to: number): Promise<{ cameras: number; watched: number; rate: number | null; minutes: number }> {
    const cams = await this.d.db.selectFrom('cameras').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const watched = await this.d.db
      .selectFrom('patrol_log')
      .innerJoin('cameras', 'cameras.id', 'patrol_log.camera')
      .select((eb) => eb.fn.count<number>('patrol_log.camera').distinct().as('n'))
      .where('started_at', '>=', from)
      .where('started_at', '<=', to)
      .executeTakeFirstOrThrow();
    const spans = await this.d.db.selectFrom('patrol_log').select(['started_at', 'ended_at']).where('started_at', '>=', from).where('started_at', '<=', to).execute();
    const now = this.d.now();
    const ms = spans.reduce((sum, s) => sum + Math.max(0, Math.min(s.ended_at === null ? now : Number(s.ended_at), to) - Number(s.started_at)), 0);
    const cameras = Number(cams.n);
    return { cameras, watched: Number(watched.n), rate: cameras ? Number(watched.n) / cameras : null, minutes: Math.round((ms / 60_000) * 10) / 10 };
  }
}
