/** Commercial cryptography (GB/T 39786): SM3 hashes, SM2 signatures, SM4 field encryption, canonical JSON. */
export * from './canonical-json.js';
export * from './record-signature.js';
export * from './sm2.js';
export * from './sm3.js';
export * from './sm4.js';
