/**
 * The gateway's cameras: one ffmpeg ingest and one analysis loop per configured camera, over models
 * loaded once and shared. Models load in the background so the gateway (polling, the API) is up at
 * once; if they cannot load, the cameras stay off and the status says why. Detections go to the sink
 * (edge/vision/store-sink.ts: the store, then the bus). onnxruntime, ffmpeg handling and the image
 * libraries are imported only when a camera is configured: a gateway without cameras never loads them.
 */
import type { Logger } from 'pino';
import type { Camera, CameraStats } from './camera/camera.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventSink } from './events.js';
import type { VisionModels } from './pipeline.js';

export interface VisionSettings {
  blurFaces: boolean;
  minConfidence: number;
  draftFrames: number;
  threads?: number | undefined;
}

export interface CameraStatus extends CameraStats {
  id: string;
  analyses: readonly string[];
  fps: number;
}

export type VisionState = 'off' | 'loading' | 'running' | 'error' | 'stopped';

export class VisionService {
  private readonly cameras: Camera[] = [];
  private readonly loops: Promise<void>[] = [];
  private state: VisionState;
  private error: string | null = null;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly o: {
      cameras: GatewayConfig['cameras'];
      settings: VisionSettings;
      dataDir: string;
      sink: EventSink;
      logger: Logger;
      /** Loads the models (default: the real ONNX models); tests may pass a slower or failing loader. */
      loadModels?: () => Promise<VisionModels>;
    },
  ) {
    this.state = o.cameras.length ? 'loading' : 'off';
  }

  /** Starts loading the models, then the cameras; resolves once they run (or failed). Never rejects. */
  start(): Promise<void> {
    if (!this.o.cameras.length) return Promise.resolve();
    this.starting ??= this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    const { settings, logger } = this.o;
    const t0 = Date.now();
    let models: VisionModels;
    let pipeline: typeof import('./pipeline.js');
    let cameraModule: typeof import('./camera/camera.js');
    try {
      [pipeline, cameraModule] = await Promise.all([import('./pipeline.js'), import('./camera/camera.js')]);
      models = await (this.o.loadModels ?? (() => pipeline.loadVisionModels(settings.threads ? { threads: settings.threads } : {})))();
    } catch (e) {
      this.state = 'error';
      this.error = `models could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      logger.error({ err: this.error }, 'vision is off');
      return;
    }
    if (this.state === 'stopped') return;
    logger.info({ ms: Date.now() - t0, cameras: this.o.cameras.length }, 'vision models loaded');
    for (const cfg of this.o.cameras) {
      const camera = new cameraModule.Camera({ ...cfg, analyses: [...cfg.analyses], ...(cfg.roi ? { roi: { ...cfg.roi } } : {}) }, { logger });
      this.cameras.push(camera);
      camera.start();
      this.loops.push(
        pipeline.runCameraPipeline({
          camera,
          models,
          sink: this.o.sink,
          dataDir: this.o.dataDir,
          logger,
          blurFaces: settings.blurFaces,
          draftFrames: settings.draftFrames,
          minConfidence: settings.minConfidence,
        }).catch((e: unknown) => logger.error({ camera: cfg.id, err: e instanceof Error ? e.message : String(e) }, 'camera pipeline ended')),
      );
    }
    this.state = 'running';
  }

  status(): { state: VisionState; error: string | null; cameras: CameraStatus[] } {
    const running = new Map(this.cameras.map((c) => [c.config.id, c]));
    return {
      state: this.state,
      error: this.error,
      cameras: this.o.cameras.map((cfg) => {
        const c = running.get(cfg.id);
        const s: CameraStats = c
          ? c.status()
          : { state: 'idle', framesIn: 0, framesDropped: 0, queued: 0, reconnects: 0, lastFrameTs: undefined, lastError: undefined, nextRetryMs: 0 };
        return { id: cfg.id, analyses: cfg.analyses, fps: cfg.fps, ...s };
      }),
    };
  }

  async stop(): Promise<void> {
    if (this.state === 'off') return;
    this.state = 'stopped';
    await Promise.all(this.cameras.map((c) => c.stop()));
    await Promise.all(this.loops);
  }
}
