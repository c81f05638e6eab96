/**
 * The part of Node-RED's embedding API (node-red 4.1, CommonJS, no bundled types) that edge/flows uses.
 * See https://nodered.org/docs/user-guide/runtime/embedding and lib/red.js of the package.
 */
declare module 'node-red' {
  import type { Server } from 'node:http';
  import type { EventEmitter } from 'node:events';
  import type { Express, RequestHandler } from 'express';

  interface NodeRedFlowNode {
    id: string;
    type: string;
    z?: string;
    [key: string]: unknown;
  }

  interface NodeRedNodeSet {
    id: string;
    module: string;
    name: string;
    types: string[];
    enabled: boolean;
    err?: string;
  }

  interface NodeRedRuntime {
    flows: {
      getFlows(opts: { user?: unknown; req?: unknown }): Promise<{ flows: NodeRedFlowNode[]; rev: string }>;
      setFlows(opts: { user?: unknown; flows: { flows: NodeRedFlowNode[]; credentials?: unknown; rev?: string }; deploymentType?: 'full' | 'nodes' | 'flows' | 'reload'; req?: unknown }): Promise<{ rev: string }>;
    };
    nodes: {
      getNodeList(opts: { user?: unknown }): Promise<NodeRedNodeSet[]>;
    };
  }

  interface NodeRed {
    init(server: Server, settings: Record<string, unknown>): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    readonly httpAdmin: Express;
    readonly httpNode: Express;
    readonly runtime: NodeRedRuntime;
    readonly nodes: {
      stopFlows(): Promise<void>;
      startFlows(): Promise<void>;
      getFlows(): { flows: NodeRedFlowNode[]; rev: string } | null;
    };
    readonly events: EventEmitter;
    readonly auth: { needsPermission(permission: string): RequestHandler };
    readonly version: string;
  }

  const RED: NodeRed;
  export default RED;
}
