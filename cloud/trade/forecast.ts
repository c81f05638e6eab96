/**
 * Monthly forecasts (预测) 1–12 months ahead for any series, by seasonal methods:
 *   - Holt-Winters additive (ETS(A,A,A)-style) and multiplicative (ETS(M,A,M)-style point forecasts),
 *     smoothing parameters fitted by minimising the one-step-ahead SSE with Nelder–Mead;
 *   - seasonal naive (ŷ_{t+h} = y_{t+h−m}) as the baseline.
 * The method is chosen by rolling-origin back-testing (MAPE over the last origins, horizons 1..H), and
 * every forecast carries that back-test MAPE. Prediction intervals come from the ETS variance formulas
 * (σ_h² = σ²·(1 + Σ_{j<h} c_j²), c_j = α(1 + jβ) + γ·[j mod m = 0]), widened to the back-test errors
 * at each horizon where those are larger.
 * Pure functions: no I/O.
 */

export type Method = 'hw_additive' | 'hw_multiplicative' | 'seasonal_naive';

export interface HwParams {
  alpha: number;
  beta: number;
  gamma: number;
}

export interface FitResult {
  method: Method;
  params?: HwParams;
  /** one-step-ahead fitted values (NaN where undefined) */
  fitted: number[];
  /** state after the last observation, to forecast from */
  level: number;
  trend: number;
  season: number[];
  sse: number;
  /** residual σ: absolute (additive, naive) or relative (multiplicative) */
  sigma: number;
  n: number;
}

export interface ForecastPoint {
  h: number;
  month?: string;
  value: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface ForecastResult {
  method: Method;
  params?: HwParams;
  horizon: number;
  points: ForecastPoint[];
  /** back-test MAPE (fraction, 0.05 = 5 %) of the chosen method */
  mape: number | null;
  backtest: { method: Method; mape: number | null; errors: number }[];
  origins: number;
  period: number;
  note?: string;
}

/** Minimises f over R^n by Nelder–Mead. */
export function nelderMead(f: (x: number[]) => number, x0: number[], opts: { maxIter?: number; step?: number; tol?: number } = {}): { x: number[]; fx: number } {
  const n = x0.length;
  const maxIter = opts.maxIter ?? 200 * n;
  const step = opts.step ?? 0.5;
  const tol = opts.tol ?? 1e-9;
  let simplex: { x: number[]; fx: number }[] = [{ x: x0.slice(), fx: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] = x[i]! + step;
    simplex.push({ x, fx: f(x) });
  }
  for (let iter = 0; iter < maxIter; iter++) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.fx - best.fx) <= tol * (Math.abs(best.fx) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k]! += simplex[i]!.x[k]! / n;
    const at = (t: number) => centroid.map((c, k) => c + t * (worst.x[k]! - c));
    const xr = at(-1);
    const fr = f(xr);
    if (fr < best.fx) {
      const xe = at(-2);
      const fe = f(xe);
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1]!.fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? at(-0.5) : at(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, worst.fx)) simplex[n] = { x: xc, fx: fc };
      else {
        simplex = simplex.map((s, i) => (i === 0 ? s : { x: s.x.map((v, k) => best.x[k]! + 0.5 * (v - best.x[k]!)), fx: NaN }));
        for (let i = 1; i <= n; i++) simplex[i]!.fx = f(simplex[i]!.x);
      }
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return simplex[0]!;
}

const logistic = (v: number) => 1 / (1 + Math.exp(-v));
const logit = (p: number) => Math.log(p / (1 - p));

function initialState(y: readonly number[], m: number, multiplicative: boolean): { level: number; trend: number; season: number[] } {
  const mean = (a: number, b: number) => {
    let s = 0;
    for (let i = a; i < b; i++) s += y[i]!;
    return s / (b - a);
  };
  const l0 = mean(0, m);
  const l1 = mean(m, 2 * m);
  const trend = (l1 - l0) / m;
  const season: number[] = [];
  for (let i = 0; i < m; i++) {
    // average of the first two seasons, detrended around each season's mean
    const a = y[i]! - (l0 + (i - (m - 1) / 2) * trend);
    const b = y[m + i]! - (l1 + (i - (m - 1) / 2) * trend);
    if (multiplicative) {
      const ra = y[i]! / Math.max(1e-9, l0 + (i - (m - 1) / 2) * trend);
      const rb = y[m + i]! / Math.max(1e-9, l1 + (i - (m - 1) / 2) * trend);
      season.push((ra + rb) / 2);
    } else season.push((a + b) / 2);
  }
  // normalise: additive seasons sum to 0, multiplicative average 1
  const avg = season.reduce((s, v) => s + v, 0) / m;
  for (let i = 0; i < m; i++) season[i] = multiplicative ? season[i]! / avg : season[i]! - avg;
  return { level: l0 - trend * (m - 1) / 2 - trend, trend, season };
}

/** Runs Holt-Winters with given parameters; returns one-step fitted values and the final state. */
export function holtWinters(y: readonly number[], m: number, p: HwParams, multiplicative: boolean): FitResult {
  const n = y.length;
  const init = initialState(y, m, multiplicative);
  let level = init.level;
  let trend = init.trend;
  const season = init.season.slice(); // season[t % m] holds s_{t-m} before update at t
  const fitted = new Array<number>(n).fill(NaN);
  let sse = 0;
  let sseRel = 0;
  let count = 0;
  for (let t = 0; t < n; t++) {
    const s = season[t % m]!;
    const yhat = multiplicative ? (level + trend) * s : level + trend + s;
    fitted[t] = yhat;
    const yt = y[t]!;
    if (t >= m) {
      const e = yt - yhat;
      sse += e * e;
      if (multiplicative && yhat !== 0) sseRel += (e / yhat) ** 2;
      count++;
    }
    const prevLevel = level;
    if (multiplicative) {
      level = p.alpha * (yt / (s || 1e-9)) + (1 - p.alpha) * (level + trend);
      trend = p.beta * (level - prevLevel) + (1 - p.beta) * trend;
      season[t % m] = p.gamma * (yt / (level || 1e-9)) + (1 - p.gamma) * s;
    } else {
      level = p.alpha * (yt - s) + (1 - p.alpha) * (level + trend);
      trend = p.beta * (level - prevLevel) + (1 - p.beta) * trend;
      season[t % m] = p.gamma * (yt - level) + (1 - p.gamma) * s;
    }
  }
  // rotate so season[0] is the one for t = n (the next period)
  const rotated = Array.from({ length: m }, (_, k) => season[(n + k) % m]!);
  const dof = Math.max(1, count - 3);
  return {
    method: multiplicative ? 'hw_multiplicative' : 'hw_additive',
    params: p,
    fitted,
    level,
    trend,
    season: rotated,
    sse,
    sigma: multiplicative ? Math.sqrt(sseRel / dof) : Math.sqrt(sse / dof),
    n,
  };
}

/** Fits α, β, γ by minimising one-step SSE (Nelder–Mead on logit-transformed parameters). */
export function fitHoltWinters(y: readonly number[], m: number, multiplicative: boolean): FitResult {
  if (y.length < 2 * m) throw new RangeError(`Holt-Winters needs at least ${2 * m} points, got ${y.length}`);
  if (multiplicative && y.some((v) => !(v > 0))) throw new RangeError('multiplicative Holt-Winters needs a positive series');
  const clamp = (v: number) => Math.min(0.999, Math.max(0.001, v));
  const toParams = (x: number[]): HwParams => ({ alpha: clamp(logistic(x[0]!)), beta: clamp(logistic(x[1]!) * 0.5), gamma: clamp(logistic(x[2]!)) });
  const objective = (x: number[]) => {
    const r = holtWinters(y, m, toParams(x), multiplicative);
    return Number.isFinite(r.sse) ? r.sse : Number.MAX_VALUE;
  };
  let best: { x: number[]; fx: number } | undefined;
  for (const start of [
    [logit(0.3), logit(0.1 / 0.5), logit(0.2)],
    [logit(0.7), logit(0.02 / 0.5), logit(0.5)],
  ]) {
    const r = nelderMead(objective, start, { maxIter: 400, step: 1 });
    if (!best || r.fx < best.fx) best = r;
  }
  return holtWinters(y, m, toParams(best!.x), multiplicative);
}

export function fitSeasonalNaive(y: readonly number[], m: number): FitResult {
  const n = y.length;
  const fitted = new Array<number>(n).fill(NaN);
  let sse = 0;
  let count = 0;
  for (let t = m; t < n; t++) {
    fitted[t] = y[t - m]!;
    sse += (y[t]! - y[t - m]!) ** 2;
    count++;
  }
  return { method: 'seasonal_naive', fitted, level: 0, trend: 0, season: y.slice(n - m), sse, sigma: Math.sqrt(sse / Math.max(1, count - 1)), n };
}

export function pointForecast(fit: FitResult, h: number, m: number): number {
  const s = fit.season[(h - 1) % m]!;
  if (fit.method === 'seasonal_naive') return s;
  if (fit.method === 'hw_multiplicative') return (fit.level + h * fit.trend) * s;
  return fit.level + h * fit.trend + s;
}

/** σ of the h-step forecast error from the ETS formulas (relative for the multiplicative method). */
export function horizonSigma(fit: FitResult, h: number, m: number): number {
  if (fit.method === 'seasonal_naive') return fit.sigma * Math.sqrt(Math.floor((h - 1) / m) + 1);
  const { alpha, beta, gamma } = fit.params!;
  let sum = 1;
  for (let j = 1; j < h; j++) {
    const c = alpha * (1 + j * beta) + (j % m === 0 ? gamma : 0);
    sum += c * c;
  }
  return fit.sigma * Math.sqrt(sum);
}

function fitMethod(method: Method, y: readonly number[], m: number): FitResult {
  if (method === 'seasonal_naive') return fitSeasonalNaive(y, m);
  return fitHoltWinters(y, m, method === 'hw_multiplicative');
}

function canFit(method: Method, y: readonly number[], m: number): boolean {
  if (method === 'seasonal_naive') return y.length > m;
  if (y.length < 2 * m + 2) return false;
  return method === 'hw_additive' || y.every((v) => v > 0);
}

/**
 * Rolling-origin back-test: for each of the last `origins` cut points, fit on the data before it and
 * forecast up to `horizon` steps; returns the MAPE and the relative errors by horizon.
 */
export function backtest(method: Method, y: readonly number[], m: number, horizon: number, origins: number): { mape: number | null; relErrors: number[][]; errors: number } {
  const n = y.length;
  const relErrors: number[][] = Array.from({ length: horizon }, () => []);
  let sumApe = 0;
  let count = 0;
  for (let o = n - origins; o < n; o++) {
    const train = y.slice(0, o);
    if (!canFit(method, train, m)) continue;
    const fit = fitMethod(method, train, m);
    for (let h = 1; h <= horizon && o + h - 1 < n; h++) {
      const actual = y[o + h - 1]!;
      const f = pointForecast(fit, h, m);
      if (actual === 0) continue;
      const rel = (actual - f) / Math.abs(actual);
      relErrors[h - 1]!.push(rel);
      sumApe += Math.abs(rel);
      count++;
    }
  }
  return { mape: count ? sumApe / count : null, relErrors, errors: count };
}

const Z80 = 1.2816;
const Z95 = 1.96;

export interface ForecastOptions {
  horizon?: number;
  period?: number;
  /** rolling origins for the back-test (default 12, fewer when the series is short) */
  origins?: number;
  /** labels of the observations (YYYY-MM), to label the forecast months */
  months?: readonly string[];
  methods?: readonly Method[];
}

function addMonths(ym: string, k: number): string {
  const idx = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + k;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}

/** Forecasts a monthly series 1..horizon months ahead with the method that back-tests best. */
export function forecastSeries(y: readonly number[], opts: ForecastOptions = {}): ForecastResult {
  const m = opts.period ?? 12;
  const horizon = Math.max(1, Math.min(opts.horizon ?? 12, 24));
  const n = y.length;
  if (n < m + 2) throw new RangeError(`a seasonal forecast needs at least ${m + 2} months of data, got ${n}`);
  const origins = Math.max(1, Math.min(opts.origins ?? 12, n - m - 1));
  const candidates = (opts.methods ?? (['hw_additive', 'hw_multiplicative', 'seasonal_naive'] as const)).filter((meth) => canFit(meth, y, m));
  const results = candidates.map((meth) => ({ method: meth, ...backtest(meth, y, m, horizon, origins) }));
  const scored = results.filter((r) => r.mape !== null);
  scored.sort((a, b) => a.mape! - b.mape!);
  const chosen = scored[0] ?? results.find((r) => r.method === 'seasonal_naive') ?? results[0]!;
  const fit = fitMethod(chosen.method, y, m);
  const nonNegative = y.every((v) => v >= 0);
  const points: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const value = pointForecast(fit, h, m);
    let sigma = horizonSigma(fit, h, m);
    if (fit.method === 'hw_multiplicative') sigma *= Math.abs(value);
    const errs = chosen.relErrors[h - 1] ?? [];
    if (errs.length >= 3) {
      const rmse = Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / errs.length) * Math.abs(value);
      sigma = Math.max(sigma, rmse);
    }
    const lo = (z: number) => (nonNegative ? Math.max(0, value - z * sigma) : value - z * sigma);
    points.push({
      h,
      ...(opts.months?.length ? { month: addMonths(opts.months[opts.months.length - 1]!, h) } : {}),
      value,
      lower80: lo(Z80),
      upper80: value + Z80 * sigma,
      lower95: lo(Z95),
      upper95: value + Z95 * sigma,
    });
  }
  return {
    method: fit.method,
    ...(fit.params ? { params: fit.params } : {}),
    horizon,
    points,
    mape: chosen.mape,
    backtest: results.map((r) => ({ method: r.method, mape: r.mape, errors: r.errors })),
    origins,
    period: m,
    ...(n < 2 * m + 2 ? { note: 'fewer than two seasons plus two months: only the seasonal naive method applies' } : {}),
  };
}

/** One-step-ahead check of an observation against a forecast interval from the data before it. */
export function intervalAt(y: readonly number[], t: number, m: number, method: Method = 'hw_additive'): { value: number; lower95: number; upper95: number; lower99: number; upper99: number } | undefined {
  const train = y.slice(0, t);
  if (!canFit(method, train, m)) return undefined;
  const fit = fitMethod(method, train, m);
  const value = pointForecast(fit, 1, m);
  let sigma = horizonSigma(fit, 1, m);
  if (fit.method === 'hw_multiplicative') sigma *= Math.abs(value);
  return { value, lower95: value - Z95 * sigma, upper95: value + Z95 * sigma, lower99: value - 2.5758 * sigma, upper99: value + 2.5758 * sigma };
}
