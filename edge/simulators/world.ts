/**
 * The world one simulator process shares: one ship alongside, the dock water around it, its ballast
 * tanks and the weather. Every simulated device samples it through a signal source for its profile's
 * `simulation.model`, so the six draft channels, the density monitor and the ballast meters all
 * describe the same ship in the same water. Pure given a seed and a clock (`now` is injected).
 */
import type { FirmwareProfile, SimulationDef } from '../../shared/profile/schema.js';
import type { ReadingValue } from '../../shared/contracts/reading.js';
import { createBallast, createBattery, batteryParams, DEFAULT_TANKS, type BallastModel, type TankDef, type TankState } from './physics/ballast.js';
import { bool, clamp, G, HOUR_MS, num, str, type Params } from './physics/params.js';
import { slotNoise, valueNoise, type Seed } from './physics/rng.js';
import { createSeawater, densityInAir, seawaterParams, type SeawaterModel, type SeawaterState } from './physics/seawater.js';
import { createVessel, STATIONS, vesselParams, type VesselModel, type VesselState } from './physics/vessel.js';

export type SimModel = SimulationDef['model'];

export interface WorldOptions {
  seed?: Seed;
  /** The world's time origin (ms); the ship starts its cargo cycle here. Default: now(). */
  originMs?: number;
  now?: () => number;
  vessel?: Params;
  sea?: Params;
  tanks?: readonly TankDef[];
  /** Seasonal air temperature (°C); default from the day of year (Shanghai climatology). */
  air?: Params;
}

export type Signals = Record<string, number>;

/** Current values of a device's writable points (LED brightness, a meter's density setting). */
export type Settings = Readonly<Record<string, ReadingValue | undefined>>;

export interface SignalSource {
  readonly model: SimModel;
  /** Model signals at tMs (numbers; status words are integers). */
  signals(tMs: number, settings?: Settings): Signals;
}

export interface World {
  readonly seed: Seed;
  readonly originMs: number;
  now(): number;
  readonly vessel: VesselModel;
  readonly sea: SeawaterModel;
  readonly ballast: BallastModel;
  airTemperature(tMs: number): number;
  /** A signal source for one device: `params` = profile simulation params ⊕ instance params; `key` names the device (its own sensor noise). */
  source(model: SimModel, params: Params, key: string): SignalSource;
  snapshot(tMs?: number): WorldSnapshot;
}

export interface WorldSnapshot {
  seed: Seed;
  originMs: number;
  ts: number;
  vessel: VesselState & { name: string; lbpM: number; meanOfSixM: number };
  sea: SeawaterState & { densityInAirTM3: number };
  tanks: TankState[];
  airTemperatureC: number;
}

/** The signal names each model provides (the profile bindings point → signal use these). */
export const MODEL_SIGNALS: Record<SimModel, readonly string[]> = {
  'vessel-drafts': ['draft_fwd_port', 'draft_fwd_stbd', 'draft_mid_port', 'draft_mid_stbd', 'draft_aft_port', 'draft_aft_stbd', 'mean_draft', 'trim', 'sensor_temp', 'status'],
  'ballast-tank': ['level', 'pressure', 'temperature', 'battery', 'battery_voltage', 'ballast_density', 'true_level'],
  seawater: ['density', 'temperature', 'salinity', 'conductivity', 'density_in_air', 'tide_level'],
  'queue-terminal': ['window', 'uptime', 'temperature', 'temp'],
  'led-display': ['temperature'],
};

/** A device's physics params: the profile's simulation params ⊕ instance params. */
export function mergedParams(profile: FirmwareProfile, params: Params | undefined): Params {
  return { ...profile.simulation.params, ...(params ?? {}) };
}

/** Checks that every binding names a signal of the profile's model (throws a readable error). */
export function checkBindings(profile: FirmwareProfile): void {
  const known = MODEL_SIGNALS[profile.simulation.model];
  for (const [point, signal] of Object.entries(profile.simulation.bindings)) {
    if (!known.includes(signal)) {
      throw new Error(`${profile.model}: binding ${point} → "${signal}" names no signal of model ${profile.simulation.model} (${known.join(', ')})`);
    }
  }
}

/** Draft gauge status word bits. */
export const STATUS_BITS = { sensorsOk: 1, waveFilter: 2, loading: 4, sensorFault: 8 } as const;

/** Shanghai air temperature climatology: ~4 °C mid-January, ~29 °C late July; warmest 14:00 local. */
export function seasonalAirTemperature(tMs: number): number {
  const d = new Date(tMs);
  const doy = (tMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
  const hourUtc = (tMs / HOUR_MS) % 24;
  return 16.5 - 12.5 * Math.cos((2 * Math.PI * (doy - 18)) / 365.25) + 3.5 * Math.cos((2 * Math.PI * (hourUtc - 6)) / 24);
}

export function createWorld(opts: WorldOptions = {}): World {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const originMs = opts.originMs ?? now();
  const vessel = createVessel(vesselParams(opts.vessel ?? {}), seed, originMs);
  const sea = createSeawater(seawaterParams(opts.sea ?? {}), seed, originMs);
  const ballast = createBallast(opts.tanks ?? DEFAULT_TANKS, vessel, sea, seed);
  const airParams = opts.air ?? {};
  const airFixed = num(airParams, 'temperatureC', Number.NaN);
  const airDrift = valueNoise(seed, 'air', 2 * HOUR_MS, num(airParams, 'driftC', 0.8));
  const airTemperature = (tMs: number): number =>
    (Number.isFinite(airFixed) ? airFixed : seasonalAirTemperature(tMs)) + airDrift(tMs);

  const source = (model: SimModel, params: Params, key: string): SignalSource => {
    switch (model) {
      case 'vessel-drafts':
        return draftSource(vessel, sea, params, seed, key);
      case 'ballast-tank':
        return ballastSource(ballast, params, seed, key, originMs);
      case 'seawater':
        return seawaterSource(sea, params, key);
      case 'queue-terminal':
        return queueTerminalSource(airTemperature, params, seed, key, now());
      case 'led-display':
        return ledSource(airTemperature, params, seed, key);
    }
  };

  const snapshot = (tMs = now()): WorldSnapshot => {
    const v = vessel.at(tMs);
    const s = sea.at(tMs);
    const six = STATIONS.reduce((acc, st) => acc + v.still[st], 0) / 6;
    return {
      seed,
      originMs,
      ts: tMs,
      vessel: { name: vessel.params.name, lbpM: vessel.params.lbpM, ...v, meanOfSixM: six },
      sea: { ...s, densityInAirTM3: densityInAir(s.density) },
      tanks: ballast.all(tMs),
      airTemperatureC: airTemperature(tMs),
    };
  };

  return { seed, originMs, now, vessel, sea, ballast, airTemperature, source, snapshot };
}

// ---------------------------------------------------------------------------------------------
// Sources, one per model

function draftSource(vessel: VesselModel, sea: SeawaterModel, p: Params, seed: Seed, key: string): SignalSource {
  const noiseM = Math.max(0, num(p, 'draftNoiseM', 0.002));
  const waveFilter = bool(p, 'waveFilter', true);
  const sensorFault = bool(p, 'sensorFault', false);
  const tempOffset = num(p, 'sensorTempOffsetC', 0.3);
  const noise = STATIONS.map((st) => slotNoise(seed, `${key}.${st}`, 100, noiseM));
  const meanNoise = slotNoise(seed, `${key}.mean`, 500, noiseM / 4);
  const tempNoise = slotNoise(seed, `${key}.temp`, 1000, 0.05);
  return {
    model: 'vessel-drafts',
    signals(tMs) {
      const v = vessel.at(tMs);
      const out: Signals = {};
      let sum = 0;
      let sumStill = 0;
      STATIONS.forEach((st, i) => {
        const d = clamp(v.still[st] + vessel.wave(tMs, st) + noise[i]!(tMs), 0, 40);
        out[`draft_${st}`] = d;
        sum += d;
        sumStill += v.still[st];
      });
      // With the wave filter on, the controller reports still-water mean and trim (a long average).
      const fwd = waveFilter ? (v.still.fwd_port + v.still.fwd_stbd) / 2 : (out.draft_fwd_port! + out.draft_fwd_stbd!) / 2;
      const aft = waveFilter ? (v.still.aft_port + v.still.aft_stbd) / 2 : (out.draft_aft_port! + out.draft_aft_stbd!) / 2;
      out.mean_draft = (waveFilter ? sumStill / 6 : sum / 6) + meanNoise(tMs);
      out.trim = aft - fwd;
      out.sensor_temp = sea.at(tMs).temperature + tempOffset + tempNoise(tMs);
      out.status =
        (sensorFault ? STATUS_BITS.sensorFault : STATUS_BITS.sensorsOk) |
        (waveFilter ? STATUS_BITS.waveFilter : 0) |
        (v.operation !== 'idle' ? STATUS_BITS.loading : 0);
      return out;
    },
  };
}

function ballastSource(ballast: BallastModel, p: Params, seed: Seed, key: string, originMs: number): SignalSource {
  const tankName = str(p, 'tank', ballast.tanks[0]?.name ?? 'DB1P');
  if (!ballast.tank(tankName)) {
    throw new RangeError(`ballast-tank "${key}": no tank "${tankName}" (tanks: ${ballast.tanks.map((t) => t.name).join(', ')})`);
  }
  const battery = createBattery(batteryParams(p), seed, key, originMs);
  const pNoise = slotNoise(seed, `${key}.p`, 250, Math.max(0, num(p, 'pressureNoiseKPa', 0.02)));
  const tNoise = slotNoise(seed, `${key}.t`, 1000, 0.03);
  return {
    model: 'ballast-tank',
    signals(tMs, settings) {
      const tank = ballast.at(tMs, tankName);
      const pressure = Math.max(0, tank.pressureKPa + pNoise(tMs));
      // The meter converts with its configured density (t/m³), defaulting to the tank's real one.
      const set = settings?.ballast_density;
      const rhoSet = typeof set === 'number' && set > 0.5 ? set : tank.densityTM3;
      const b = battery(tMs);
      return {
        level: Math.max(0, (pressure * 1000) / (rhoSet * 1000 * G)),
        pressure,
        temperature: tank.temperatureC + tNoise(tMs),
        battery: Math.round(b.percent),
        battery_voltage: b.voltage,
        ballast_density: tank.densityTM3,
        true_level: tank.levelM,
      };
    },
  };
}

function seawaterSource(sea: SeawaterModel, p: Params, key: string): SignalSource {
  const noise = { salinity: Math.max(0, num(p, 'salinityNoisePsu', 0.02)), temperature: Math.max(0, num(p, 'temperatureNoiseC', 0.01)) };
  return {
    model: 'seawater',
    signals(tMs) {
      const s = sea.measured(tMs, key, noise);
      return {
        density: s.density,
        temperature: s.temperature,
        salinity: s.salinity,
        conductivity: s.conductivity,
        density_in_air: densityInAir(s.density),
        tide_level: s.tideLevelM,
      };
    },
  };
}

function queueTerminalSource(air: (t: number) => number, p: Params, seed: Seed, key: string, poweredOnMs: number): SignalSource {
  const window = Math.round(num(p, 'window', 1));
  const tNoise = slotNoise(seed, `${key}.t`, 1000, 0.1);
  return {
    model: 'queue-terminal',
    signals(tMs) {
      const temperature = air(tMs) + num(p, 'selfHeatingC', 7) + tNoise(tMs);
      return { window, uptime: Math.max(0, Math.floor((tMs - poweredOnMs) / 1000)), temperature, temp: temperature };
    },
  };
}

function ledSource(air: (t: number) => number, p: Params, seed: Seed, key: string): SignalSource {
  const tNoise = slotNoise(seed, `${key}.t`, 1000, 0.1);
  const perPct = num(p, 'heatingCPerPct', 0.18);
  return {
    model: 'led-display',
    signals(tMs, settings) {
      const b = settings?.brightness;
      const brightness = typeof b === 'number' ? clamp(b, 0, 100) : 50;
      // Indoors: the hall follows the outside air only weakly; the panel warms with its brightness.
      const hall = 22 + 0.3 * (air(tMs) - 20);
      return { temperature: hall + 2 + perPct * brightness + tNoise(tMs) };
    },
  };
}
