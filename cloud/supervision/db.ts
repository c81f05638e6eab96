/**
 * Table shapes of the supervision tables (migration 0003_supervision in cloud/store/migrations.ts).
 * Times are integer ms, JSON is text, flags are integers (0/1), as in the rest of the store.
 */
import type { Generated } from 'kysely';

export interface AlarmAcksTable {
  gw: string;
  event_id: string;
  acked_by: string;
  acked_at: number;
  comment: string;
}

export interface TaskRulesTable {
  id: string;
  name: string;
  /** JSON {gw?, device?, point?, severity?} */
  match: string;
  /** JSON {title, checklist, priority?, deadlineMinutes?} */
  task: string;
  enabled: number;
  created_by: string;
  created_at: number;
}

export interface TasksTable {
  id: string;
  /** inspection | local | quarantine */
  kind: string;
  title: string;
  /** manual | rule | appointment | quarantine */
  source: string;
  /** Unique: the thing that created the task (rule + alarm, appointment, declaration), so it is created once. */
  source_ref: string | null;
  rule_id: string | null;
  priority: number;
  deadline_at: number | null;
  enterprise_id: string | null;
  /** JSON object (vessel, container, location …). */
  subject: string;
  /** JSON [{id, label, done, note}] */
  checklist: string;
  /** open | assigned | in_progress | done | cancelled */
  status: string;
  assignee_id: string | null;
  result: string | null;
  result_note: string | null;
  appointment_id: string | null;
  quarantine_id: string | null;
  created_by: string;
  created_at: number;
  assigned_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

export interface TaskEvidenceTable {
  id: Generated<number>;
  task_id: string;
  /** photo | reading | survey | note */
  kind: string;
  data: string;
  sm3: string | null;
  created_by: string;
  created_at: number;
}

export interface AppointmentsTable {
  id: string;
  enterprise_id: string;
  requested_by: string;
  goods: string;
  location: string;
  slot_start: number;
  slot_end: number;
  /** SM4-sealed, associated data `appointments/<id>/contact_phone`. */
  contact_phone_sealed: string | null;
  note: string | null;
  /** requested | accepted | rescheduled | rejected | cancelled | done */
  status: string;
  decision_note: string | null;
  decided_by: string | null;
  decided_at: number | null;
  task_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface QuarantineDeclarationsTable {
  id: string;
  enterprise_id: string | null;
  vessel_name: string;
  imo: string;
  voyage: string | null;
  eta: number;
  /** JSON string[] */
  last_ports: string;
  crew_count: number;
  ill_crew: number;
  ill_details: string | null;
  /** declared | decided */
  status: string;
  /** boarding | remote | free_pratique */
  decision: string | null;
  /** JSON string[] */
  reasons: string | null;
  decided_by: string | null;
  decided_at: number | null;
  task_id: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface BallastReportsTable {
  id: Generated<number>;
  declaration_id: string;
  tank: string;
  exchange_claimed: number;
  exchange_method: string | null;
  exchange_position: string | null;
  density_kg_m3: number;
  temperature_c: number;
  salinity_psu: number;
  flag: number;
  note: string;
  /** edge | manual */
  source: string;
  /** JSON {gw, device, ts} for edge readings. */
  source_ref: string | null;
  created_by: string;
  created_at: number;
}

export interface QueueWindowsTable {
  window: number;
  gw: string;
  terminal: string;
  led: string | null;
  label: string | null;
  updated_at: number;
}

export interface QueueTicketsTable {
  id: string;
  /** YYYY-MM-DD (UTC+8, the port's day) the number belongs to. */
  day: string;
  number: string;
  /** truck | visitor */
  kind: string;
  enterprise_id: string | null;
  plate: string | null;
  name: string | null;
  /** waiting | called | served | no_show | cancelled */
  status: string;
  window: number | null;
  command_id: string | null;
  command_gw: string | null;
  called_by: string | null;
  called_at: number | null;
  served_at: number | null;
  created_by: string;
  created_at: number;
}

export interface CamerasTable {
  id: string;
  gw: string | null;
  device: string | null;
  name: string;
  hls_url: string | null;
  updated_at: number;
}

export interface PatrolLogTable {
  id: Generated<number>;
  user_id: string;
  camera: string;
  started_at: number;
  ended_at: number | null;
}

export type SupervisionTables = {
  alarm_acks: AlarmAcksTable;
  task_rules: TaskRulesTable;
  tasks: TasksTable;
  task_evidence: TaskEvidenceTable;
  appointments: AppointmentsTable;
  quarantine_declarations: QuarantineDeclarationsTable;
  ballast_reports: BallastReportsTable;
  queue_windows: QueueWindowsTable;
  queue_tickets: QueueTicketsTable;
  cameras: CamerasTable;
  patrol_log: PatrolLogTable;
};
