/**
 * The resource catalogue's store and rules (catalogue.ts has the entry schema): entries with
 * generated codes, versions and publication; access requests decided by the owner; and the log of
 * every change, request and decision. Used through `PlatformService.catalogue`.
 */
import type { Kysely } from 'kysely';
import { badInput } from '../api/errors.js';
import { QuaysideError } from '../../shared/errors.js';
import { CatalogueEntryInput, classCode, entryCode, type CatalogueEntry, type CatalogueEntryData, type CatalogueStatus } from './catalogue.js';
import type { DatasetDefinition } from './definitions.js';
import type { PlatformDatabase } from './types.js';

export interface CatalogueDeps {
  db: Kysely<PlatformDatabase>;
  now: () => number;
  dataset(name: string): Promise<{ definition: DatasetDefinition } | null>;
}


export interface AccessRequest {
  id: number;
  code: string;
  requester: string;
  organisation: string;
  purpose: string;
  owner: string;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  note: string;
}

export class CatalogueService {
  constructor(private readonly deps: CatalogueDeps) {}


  private async items(e: CatalogueEntryData): Promise<{ name: string; type: string }[]> {
    if (e.items) return e.items;
    if (!e.dataset) throw new QuaysideError('CLOUD_BAD_REQUEST', 'entry.items: give the information items, or the data set they come from');
    const ds = await this.deps.dataset(e.dataset);
    if (!ds) throw new QuaysideError('CLOUD_BAD_REQUEST', `entry.dataset: no data set ${e.dataset}`);
    const label = { text: '字符型', integer: '整数型', number: '数值型', boolean: '布尔型', timestamp: '日期时间型' } as const;
    return ds.definition.fields.map((f) => ({ name: f.title || f.name, type: label[f.type] }));
  }

  private parseEntry(input: unknown): CatalogueEntryData {
    const r = CatalogueEntryInput.safeParse(input);
    if (!r.success) throw badInput('entry', r.error);
    return r.data;
  }

  /** A new draft entry; its code is its classification code and the next sequence number in it. */
  async create(input: unknown, by: string): Promise<CatalogueEntry> {
    const e = this.parseEntry(input);
    const items = await this.items(e);
    const cls = classCode(e.classification);
    const now = this.deps.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const code = await this.deps.db.transaction().execute(async (trx) => {
          const m = await trx.selectFrom('pf_catalogue').select((eb) => eb.fn.max('seq').as('s')).where('class_code', '=', cls).executeTakeFirst();
          const seq = Number(m?.s ?? 0) + 1;
          const code = entryCode(cls, seq);
          await trx
            .insertInto('pf_catalogue')
            .values({ code, class_code: cls, seq, name: e.name, provider: e.provider, dataset: e.dataset ?? null, status: 'draft', version: 1, entry: JSON.stringify({ ...e, items }), created_at: now, updated_at: now, updated_by: by, published_at: null })
            .execute();
          await trx.insertInto('pf_catalogue_log').values({ code, request_id: null, action: 'created', actor: by, at: now, detail: e.name }).execute();
          return code;
        });
        return (await this.entry(code))!;
      } catch (err) {
        // two writers took the same sequence number: the unique constraint refused one; take the next
        if (attempt < 3 && /unique|duplicate/i.test((err as Error).message)) continue;
        throw err;
      }
    }
  }

  async update(code: string, input: unknown, by: string): Promise<CatalogueEntry> {
    const old = await this.entry(code);
    if (!old) throw new QuaysideError('CLOUD_NOT_FOUND', `no catalogue entry ${code}`);
    const e = this.parseEntry(input);
    if (classCode(e.classification) !== classCode(old.classification)) throw new QuaysideError('CLOUD_BAD_REQUEST', 'entry.classification: the classification is part of the code and cannot change; create a new entry');
    const items = await this.items(e);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('pf_catalogue')
        .set({ name: e.name, provider: e.provider, dataset: e.dataset ?? null, version: old.version + 1, entry: JSON.stringify({ ...e, items }), updated_at: now, updated_by: by })
        .where('code', '=', code)
        .execute();
      await trx.insertInto('pf_catalogue_log').values({ code, request_id: null, action: 'updated', actor: by, at: now, detail: `version ${old.version + 1}` }).execute();
    });
    return (await this.entry(code))!;
  }

  async setStatus(code: string, status: Exclude<CatalogueStatus, 'draft'>, by: string): Promise<CatalogueEntry> {
    const old = await this.entry(code);
    if (!old) throw new QuaysideError('CLOUD_NOT_FOUND', `no catalogue entry ${code}`);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('pf_catalogue')
        .set({ status, updated_at: now, updated_by: by, ...(status === 'published' ? { published_at: now } : {}) })
        .where('code', '=', code)
        .execute();
      await trx.insertInto('pf_catalogue_log').values({ code, request_id: null, action: status, actor: by, at: now, detail: '' }).execute();
    });
    return (await this.entry(code))!;
  }

  /**
   * A request to use a shared resource. Only published entries that are shared can be requested;
   * 无条件共享 is granted at once, 有条件共享 waits for the owner (the linked data set's owner, else
   * the provider). Every step is written to the catalogue log.
   */
  async requestAccess(code: string, r: { organisation: string; purpose: string }, by: string): Promise<AccessRequest> {
    const e = await this.entry(code);
    if (!e) throw new QuaysideError('CLOUD_NOT_FOUND', `no catalogue entry ${code}`);
    if (e.status !== 'published') throw new QuaysideError('CLOUD_BAD_REQUEST', `catalogue entry ${code} is not published`);
    if (e.sharing.type === 'none') throw new QuaysideError('CLOUD_BAD_REQUEST', `catalogue entry ${code} is not shared (不予共享): ${e.sharing.conditions}`);
    const owner = e.dataset ? ((await this.deps.dataset(e.dataset))?.definition.owner ?? e.provider) : e.provider;
    const now = this.deps.now();
    const auto = e.sharing.type === 'unconditional';
    const id = await this.deps.db.transaction().execute(async (trx) => {
      const ins = await trx
        .insertInto('pf_access_requests')
        .values({ code, requester: by, organisation: r.organisation, purpose: r.purpose, owner, status: auto ? 'approved' : 'pending', created_at: now, decided_by: auto ? 'system' : null, decided_at: auto ? now : null, note: auto ? '无条件共享' : '' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = Number(ins.id);
      await trx.insertInto('pf_catalogue_log').values({ code, request_id: id, action: 'requested', actor: by, at: now, detail: `${r.organisation}: ${r.purpose}`.slice(0, 2000) }).execute();
      if (auto) await trx.insertInto('pf_catalogue_log').values({ code, request_id: id, action: 'approved', actor: 'system', at: now, detail: '无条件共享' }).execute();
      return id;
    });
    return (await this.accessRequest(id))!;
  }

  /**
   * The owner approves or rejects a pending request; who decided is kept with the decision. `parties`
   * are whom the caller speaks for (their username, their organisation's id and name); one of them
   * must be the request's owner, or the decision is refused and the refusal logged.
   */
  async decideAccess(id: number, decision: 'approved' | 'rejected', note: string, by: string, parties: readonly string[] = [by]): Promise<AccessRequest> {
    const req = await this.accessRequest(id);
    if (!req) throw new QuaysideError('CLOUD_NOT_FOUND', `no access request ${id}`);
    if (!parties.includes(req.owner)) {
      await this.deps.db.insertInto('pf_catalogue_log').values({ code: req.code, request_id: id, action: 'refused_decision', actor: by, at: this.deps.now(), detail: `not the owner ${req.owner}` }).execute();
      throw new QuaysideError('CLOUD_AUTH_FORBIDDEN', `access request ${id} is decided by its owner ${req.owner}; ${by} does not speak for it`);
    }
    if (req.status !== 'pending') throw new QuaysideError('CLOUD_BAD_REQUEST', `access request ${id} is already ${req.status}`);
    if (decision === 'rejected' && note.trim() === '') throw new QuaysideError('CLOUD_BAD_REQUEST', 'a rejection needs its reason (note)');
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('pf_access_requests').set({ status: decision, decided_by: by, decided_at: now, note }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new QuaysideError('CLOUD_BAD_REQUEST', `access request ${id} was decided meanwhile`);
      await trx.insertInto('pf_catalogue_log').values({ code: req.code, request_id: id, action: decision, actor: by, at: now, detail: note.slice(0, 2000) }).execute();
    });
    return (await this.accessRequest(id))!;
  }

  async accessRequest(id: number): Promise<AccessRequest | null> {
    const r = await this.deps.db.selectFrom('pf_access_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? accessRecord(r) : null;
  }

  async accessRequests(filter: { code?: string; status?: string; owner?: string; requester?: string } = {}): Promise<AccessRequest[]> {
    let q = this.deps.db.selectFrom('pf_access_requests').selectAll();
    if (filter.code) q = q.where('code', '=', filter.code);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.owner) q = q.where('owner', '=', filter.owner);
    if (filter.requester) q = q.where('requester', '=', filter.requester);
    return (await q.orderBy('id').execute()).map(accessRecord);
  }

  /** The catalogue's log: entries created, changed, published, withdrawn; access requested and decided. */
  async log(code?: string): Promise<{ id: number; code: string; requestId: number | null; action: string; actor: string; at: number; detail: string }[]> {
    let q = this.deps.db.selectFrom('pf_catalogue_log').selectAll();
    if (code) q = q.where('code', '=', code);
    return (await q.orderBy('id').execute()).map((r) => ({ id: Number(r.id), code: r.code, requestId: r.request_id === null ? null : Number(r.request_id), action: r.action, actor: r.actor, at: Number(r.at), detail: r.detail }));
  }

  async entry(code: string): Promise<CatalogueEntry | null> {
    const r = await this.deps.db.selectFrom('pf_catalogue').selectAll().where('code', '=', code).executeTakeFirst();
    return r ? catalogueRecord(r) : null;
  }

  async list(filter: { q?: string; status?: CatalogueStatus; sharing?: string; category?: string } = {}): Promise<CatalogueEntry[]> {
    let q = this.deps.db.selectFrom('pf_catalogue').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.category) q = q.where('class_code', 'like', `${filter.category.replace(/[^0-9]/g, '')}%`);
    const rows = (await q.orderBy('code').execute()).map(catalogueRecord);
    const words = (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return rows.filter(
      (e) =>
        (!filter.sharing || e.sharing.type === filter.sharing) &&
        words.every((w) => [e.code, e.name, e.provider, e.abstract, ...e.keywords, ...e.items.map((i) => i.name)].join('\n').toLowerCase().includes(w)),
    );
  }
}

function accessRecord(r: { id: number; code: string; requester: string; organisation: string; purpose: string; owner: string; status: string; created_at: number; decided_by: string | null; decided_at: number | null; note: string }): AccessRequest {
  return {
    id: Number(r.id),
    code: r.code,
    requester: r.requester,
    organisation: r.organisation,
    purpose: r.purpose,
    owner: r.owner,
    status: r.status as AccessRequest['status'],
    createdAt: Number(r.created_at),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    note: r.note,
  };
}

function catalogueRecord(r: { code: string; status: string; version: number; entry: string; created_at: number; updated_at: number; updated_by: string; published_at: number | null }): CatalogueEntry {
  const e = JSON.parse(r.entry) as CatalogueEntryData & { items: { name: string; type: string }[] };
  return {
    ...e,
    code: r.code,
    status: r.status as CatalogueStatus,
    version: Number(r.version),
    publishedAt: r.published_at === null ? null : Number(r.published_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    updatedBy: r.updated_by,
  };
}
