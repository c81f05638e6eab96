/** Modbus device side: register banks, the request executor and the TCP/RTU servers. */
export * from './types.js';
export { MemoryBank, createMemoryBank, bankSizesFor, type MemoryBankSizes, type BankWrite } from './memory-bank.js';
export { ModbusServerCore, handlePdu, otherUnit, garbageBytes, type ServeResult, type ServerStats } from './server-core.js';
export { startModbusTcpServer, type ModbusTcpServerOptions, type RunningTcpServer } from './tcp-server.js';
export { startModbusRtuServer, type ModbusRtuServerOptions, type RunningRtuServer } from './rtu-server.js';
