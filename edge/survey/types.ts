/**
 * The shapes of the edge survey workflow: what a session holds, what a capture keeps, and what the
 * REST API returns. Types only (the tablet app imports them too).
 *
 * Every value that enters the case file keeps where it came from (instrument capture or manual
 * entry), who entered it and when, and, for a manual entry or an override, why (draft-survey.md §7).
 */
import type { CaseResult, SurveyValues } from '../../shared/survey/engine.js';
import type { ConversionStep, DensityBasis, MonitorReading } from '../../shared/vessel/density-basis.js';
import type { TankCalculation } from '../../shared/vessel/tank-table.js';

export const SURVEY_STAGES = ['initial', 'intermediate', 'final'] as const;
export type SurveyStage = (typeof SURVEY_STAGES)[number];

export const SESSION_STATUSES = ['draft', 'computed', 'signed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The six draft marks, named as in the case file's readings_m. */
export const MARKS = ['fwd_port', 'fwd_stbd', 'mid_port', 'mid_stbd', 'aft_port', 'aft_stbd'] as const;
export type Mark = (typeof MARKS)[number];

export const ROUNDING_MODES = ['none', 'form3'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

/** Statistics of the samples of one point over a window. std is the sample standard deviation (n − 1). */
export interface SampleStats {
  n: number;
  mean: number;
  min: number;
  max: number;
  std: number;
  /** max − min */
  spread: number;
  /** Samples in the window left out because their quality was not good. */
  excluded: number;
  first_ts: number;
  last_ts: number;
}

/** One raw sample as kept with a capture: [ts ms, value, quality]. */
export type RawSample = [number, number, 'good' | 'uncertain' | 'bad'];

export interface Provenance {
  operator: string;
  /** Epoch ms when the entry was made. */
  ts: number;
}

export interface DraftEntry extends Provenance {
  /** The draft entered in the case file (m), recorded to the millimetre. */
  value_m: number;
  source: 'gauge' | 'manual';
  /** gauge: the capture (raw samples), the device, the window and the statistics. */
  capture_id?: string;
  device?: string;
  window?: { from: number; to: number };
  stats?: SampleStats;
  /** manual: why it was entered or overridden; the value it replaced. */
  reason?: string;
  replaced_m?: number;
}

export interface MonitorCapture {
  capture_id: string;
  device: string;
  window: { from: number; to: number };
  density_kg_m3: SampleStats;
  temperature_c?: SampleStats;
  basis: DensityBasis;
  temperature_scale: 'ITS-90' | 'IPTS-68';
  /** The reading converted: the window's means recorded to 0.001. */
  reading: MonitorReading;
  /** Every step from the monitor reading to the hydrometer basis (EOS-80 where needed). */
  steps: ConversionStep[];
  /** In-situ density in vacuo, kg/m³ (after any reduction back from a reference temperature). */
  in_situ_vacuo_kg_m3: number;
  survey_density_t_m3: number;
  hydrometer_equivalent_t_m3: number;
  salinity_psu?: number;
}

export interface DensityEntry extends Provenance {
  /** What goes into the case as dock_density_t_m3 (t/m³, in air, in situ). */
  value_t_m3: number;
  source: 'monitor' | 'manual';
  monitor?: MonitorCapture;
  /** manual hydrometer value, with the reason it replaces the monitor, and manual − monitor. */
  hydrometer_t_m3?: number;
  reason?: string;
  difference_t_m3?: number;
}

export interface LevelMeterCapture {
  capture_id: string;
  device: string;
  window: { from: number; to: number };
  pressure_kpa: SampleStats;
  density_assumed: { value_t_m3: number; basis: 'air' | 'vacuo'; in_vacuo_t_m3: number };
  probe_offset_m: number;
  g_m_s2: number;
  level_m: number;
  steps: string[];
}

export interface TankEntry extends Provenance {
  tank: string;
  contents: string;
  source: 'meter' | 'manual';
  level_meter?: LevelMeterCapture;
  /** The trim (m, + stern) and list (°, + starboard) applied to the tank tables, from the drafts. */
  trim_m: number;
  list_deg?: number;
  calculation: TankCalculation;
  volume_m3: number;
  density_t_m3: number;
  weight_t: number;
  reason?: string;
}

export interface DeductibleEntry extends Provenance {
  name: string;
  weight_t: number;
  /** The basis of the figure (chief engineer's report, agreed constant…): required. */
  reason: string;
}

export interface SessionData {
  drafts: Partial<Record<Mark, DraftEntry>>;
  density?: DensityEntry;
  tanks: Record<string, TankEntry>;
  deductibles: Record<string, DeductibleEntry>;
  rounding: RoundingMode;
  note?: string;
}

export interface PhotoView {
  id: string;
  ts: number;
  operator: string;
  caption: string;
  mime: string;
  bytes: number;
  sm3: string;
  url: string;
}

export interface RecordSignatureView {
  algorithm: 'SM2-SM3';
  signer: string;
  signed_at: string;
  signer_id: string;
  public_key_hex: string;
  public_key_fingerprint: string;
  payload_sm3: string;
  signature_der_hex: string;
}

export interface SessionView {
  id: string;
  case_id: string;
  /** The survey's id inside the case file: initial, intermediate, intermediate-2, final. */
  survey_id: string;
  stage: SurveyStage;
  status: SessionStatus;
  vessel: { imo: string; version: number; name: string };
  operator: string;
  created: string;
  updated: string;
  data: SessionData;
  /** The true trim from the current drafts (m, + stern), when all six are in. */
  trim_m: number | null;
  list_deg: number | null;
  /** Missing inputs before compute (mark names, "density"). */
  missing: string[];
  computed_at: string | null;
  /** This survey's lines, warnings and the case's cargo figures, from the last compute. */
  result: { values: SurveyValues; warnings: string[]; cargo: CaseResult['cargo'] } | null;
  signed_at: string | null;
  signature: RecordSignatureView | null;
  photos: PhotoView[];
}

export interface VesselSummary {
  imo: string;
  name: string;
  version: number;
  valid_from: string;
  versions: number[];
  imported_at: string;
  imported_by: string;
  tanks: { name: string; contents: string }[];
  hydrostatics_range_m: [number, number];
  lbp_m: number;
}

export interface AuditEntry {
  id: number;
  ts: string;
  session_id: string | null;
  operator: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  hash: string;
}

export interface InstrumentView {
  id: string;
  kind: string;
  model: string;
  name: { zh: string; en: string };
  label: string | null;
  state: string;
}

export interface LivePoint {
  point: string;
  unit: string;
  latest: { ts: number; value: number; quality: string } | null;
  stats: SampleStats | null;
}
