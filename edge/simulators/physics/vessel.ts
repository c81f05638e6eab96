/**
 * A bulk carrier alongside the quay, loading or discharging: a pure function of time for a seed.
 *
 * Cargo work moves the still-water mean draft linearly from `draftStartM` to `draftEndM` over
 * `operationHours`, rests `holdHours`, then (with `cycle`) works back, so a long demo never runs
 * dry. Trim and hog/sag follow the same progress; the list wanders slowly as the loader moves
 * between holds. Waves ride on top: three harmonics of `wavePeriodS` (so each station's wave
 * averages to exactly zero over one period) travelling along the hull.
 *
 * Sign conventions (../shared/domain/draft-survey.md §3): trim > 0 by the stern; hog/sag δ > 0 sag
 * (midship deeper); list = port draft − starboard draft (> 0 heeled to port).
 */
import { clamp, HOUR_MS, bool, lerp, num, str, type Params } from './params.js';
import { valueNoise, createRng, type Seed } from './rng.js';

export const STATIONS = ['fwd_port', 'fwd_stbd', 'mid_port', 'mid_stbd', 'aft_port', 'aft_stbd'] as const;
export type Station = (typeof STATIONS)[number];

export interface VesselParams {
  name: string;
  lbpM: number;
  beamM: number;
  /** Still-water mean draft at the start and at the end of the cargo operation (m). */
  draftStartM: number;
  draftEndM: number;
  trimStartM: number;
  trimEndM: number;
  hogSagStartM: number;
  hogSagEndM: number;
  listMeanM: number;
  listAmplitudeM: number;
  listPeriodMin: number;
  operationHours: number;
  holdHours: number;
  /** After the operation (and the hold) the ship works back the other way, and so on. */
  cycle: boolean;
  /** Where in the cycle the ship is at the world's origin (hours). */
  startAtH: number;
  /** Amplitude (m) and period (s) of the main wave component. */
  waveAmplitudeM: number;
  wavePeriodS: number;
}

export const VESSEL_DEFAULTS: VesselParams = {
  name: 'MV Changjiang Pioneer',
  lbpM: 217,
  beamM: 32.26,
  draftStartM: 6.2,
  draftEndM: 13.9,
  trimStartM: 2.6,
  trimEndM: 0.3,
  hogSagStartM: -0.045,
  hogSagEndM: 0.06,
  listMeanM: 0,
  listAmplitudeM: 0.04,
  listPeriodMin: 23,
  operationHours: 26,
  holdHours: 2,
  cycle: true,
  startAtH: 0,
  waveAmplitudeM: 0.05,
  wavePeriodS: 6.5,
};

export function vesselParams(p: Params): VesselParams {
  const d = VESSEL_DEFAULTS;
  return {
    name: str(p, 'name', d.name),
    lbpM: num(p, 'lbpM', d.lbpM),
    beamM: num(p, 'beamM', d.beamM),
    draftStartM: num(p, 'draftStartM', d.draftStartM),
    draftEndM: num(p, 'draftEndM', d.draftEndM),
    trimStartM: num(p, 'trimStartM', d.trimStartM),
    trimEndM: num(p, 'trimEndM', d.trimEndM),
    hogSagStartM: num(p, 'hogSagStartM', d.hogSagStartM),
    hogSagEndM: num(p, 'hogSagEndM', d.hogSagEndM),
    listMeanM: num(p, 'listMeanM', d.listMeanM),
    listAmplitudeM: num(p, 'listAmplitudeM', d.listAmplitudeM),
    listPeriodMin: Math.max(1, num(p, 'listPeriodMin', d.listPeriodMin)),
    operationHours: Math.max(1 / 60, num(p, 'operationHours', d.operationHours)),
    holdHours: Math.max(0, num(p, 'holdHours', d.holdHours)),
    cycle: bool(p, 'cycle', d.cycle),
    startAtH: Math.max(0, num(p, 'startAtH', d.startAtH)),
    waveAmplitudeM: Math.max(0, num(p, 'waveAmplitudeM', d.waveAmplitudeM)),
    wavePeriodS: Math.max(0.5, num(p, 'wavePeriodS', d.wavePeriodS)),
  };
}

export type Operation = 'loading' | 'discharging' | 'idle';

export interface VesselState {
  operation: Operation;
  /** 0 = the start condition, 1 = the end condition. */
  progress: number;
  /** Still-water drafts at the marks: mean (F+A)/2, trim A−F, hog/sag M−(F+A)/2, list P−S (m). */
  meanDraftM: number;
  trimM: number;
  hogSagM: number;
  listM: number;
  heelDeg: number;
  /** Still-water draft at each mark (m). */
  still: Record<Station, number>;
}

export interface VesselModel {
  readonly params: VesselParams;
  at(tMs: number): VesselState;
  /** Wave elevation at a mark (m), zero mean over one wave period. */
  wave(tMs: number, station: Station): number;
  /** The instantaneous draft at each mark: still water + waves (no sensor noise). */
  drafts(tMs: number): Record<Station, number>;
}

const HARMONICS = [
  { n: 1, rel: 1 },
  { n: 2, rel: 0.3 },
  { n: 3, rel: 0.12 },
] as const;

/** Progress through the cargo cycle: loading (or discharging) ramp, hold, the reverse ramp, hold. */
export function cargoProgress(p: VesselParams, hoursSinceOrigin: number): { progress: number; working: boolean; forward: boolean } {
  const op = p.operationHours;
  const hold = p.holdHours;
  let u = Math.max(0, hoursSinceOrigin + p.startAtH);
  if (!p.cycle) {
    return u < op ? { progress: u / op, working: true, forward: true } : { progress: 1, working: false, forward: true };
  }
  u %= 2 * (op + hold);
  if (u < op) return { progress: u / op, working: true, forward: true };
  if (u < op + hold) return { progress: 1, working: false, forward: true };
  if (u < 2 * op + hold) return { progress: 1 - (u - op - hold) / op, working: true, forward: false };
  return { progress: 0, working: false, forward: false };
}

export function createVessel(params: VesselParams, seed: Seed, originMs: number): VesselModel {
  const rng = createRng(seed).fork('vessel.waves');
  // One random phase per harmonic, and a small port/starboard phase lag (waves arrive from one side).
  const phases = HARMONICS.map(() => rng.uniform(0, 2 * Math.PI));
  const sideLag = rng.uniform(0.1, 0.4);
  const listWander = valueNoise(seed, 'vessel.list', 7 * 60_000, params.listAmplitudeM / 3);
  const periodMs = params.wavePeriodS * 1000;
  // Deep-water wavelength λ = g·T²/2π; stations lie at ±(LBP/2 − a few metres) from midship.
  const lambda = (9.81 * params.wavePeriodS ** 2) / (2 * Math.PI);
  const x = { fwd: params.lbpM / 2 - 4, mid: 0, aft: -(params.lbpM / 2 - 6) };
  const rising = params.draftEndM >= params.draftStartM;

  const at = (tMs: number): VesselState => {
    const { progress, working, forward } = cargoProgress(params, (tMs - originMs) / HOUR_MS);
    const operation: Operation = !working ? 'idle' : forward === rising ? 'loading' : 'discharging';
    const meanDraftM = lerp(params.draftStartM, params.draftEndM, progress);
    const trimM = lerp(params.trimStartM, params.trimEndM, progress);
    const hogSagM = lerp(params.hogSagStartM, params.hogSagEndM, progress);
    const listM =
      params.listMeanM +
      params.listAmplitudeM * Math.sin((2 * Math.PI * (tMs - originMs)) / (params.listPeriodMin * 60_000)) +
      listWander(tMs);
    const f = meanDraftM - trimM / 2;
    const a = meanDraftM + trimM / 2;
    const m = meanDraftM + hogSagM;
    const h = listM / 2;
    return {
      operation,
      progress,
      meanDraftM,
      trimM,
      hogSagM,
      listM,
      heelDeg: (Math.atan2(listM, params.beamM) * 180) / Math.PI,
      still: {
        fwd_port: f + h,
        fwd_stbd: f - h,
        mid_port: m + h,
        mid_stbd: m - h,
        aft_port: a + h,
        aft_stbd: a - h,
      },
    };
  };

  const wave = (tMs: number, station: Station): number => {
    if (params.waveAmplitudeM === 0) return 0;
    const pos = station.startsWith('fwd') ? x.fwd : station.startsWith('mid') ? x.mid : x.aft;
    const side = station.endsWith('port') ? 0 : sideLag;
    const omegaT = (2 * Math.PI * (tMs - originMs)) / periodMs;
    let z = 0;
    for (let i = 0; i < HARMONICS.length; i++) {
      const hmc = HARMONICS[i]!;
      const spatial = (2 * Math.PI * hmc.n * pos) / lambda;
      z += params.waveAmplitudeM * hmc.rel * Math.sin(hmc.n * (omegaT + side) - spatial + phases[i]!);
    }
    return z;
  };

  const drafts = (tMs: number): Record<Station, number> => {
    const s = at(tMs).still;
    const out = {} as Record<Station, number>;
    for (const st of STATIONS) out[st] = clamp(s[st] + wave(tMs, st), 0, 40);
    return out;
  };

  return { params, at, wave, drafts };
}
