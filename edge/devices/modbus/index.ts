/** Modbus driver side: protocol, transports, client and the PolledDriver factory. */
export { crc16, checkCrc, writeCrc } from './crc16.js';
export * from './pdu.js';
export type { ModbusTransport, TransportStats } from './transport.js';
export { ModbusTcpTransport, createModbusTcpTransport, type ModbusTcpTransportOptions } from './tcp-transport.js';
export {
  ModbusRtuTransport,
  createModbusRtuTransport,
  interFrameSilenceMs,
  charTimeMs,
  type ModbusRtuTransportOptions,
  type RtuTransportStats,
} from './rtu-transport.js';
export { ModbusClient, type ModbusClientOptions, type ClientStats } from './client.js';
export {
  ModbusDriver,
  createModbusDriver,
  planReads,
  failureOf,
  DEFAULT_MAX_GAP,
  type ModbusDriverOptions,
  type PlanOptions,
  type PlannedBlock,
  type PlannedPoint,
} from './driver.js';
