/**
 * The identifiers pipelines validate and quality rules check, each through its shared/ids parser:
 * USCC (GB 32100 check character), customs enterprise code, declaration number, HS code, IMO number
 * (check digit), container number (ISO 6346 check digit) and Chinese plate numbers.
 */
import { parseCustomsCode, parseEntryId } from '../../shared/ids/customs-code.js';
import { parseImo } from '../../shared/ids/imo.js';
import { isValidContainerNumber, CONTAINER_RE } from '../../shared/ids/iso6346.js';
import { validatePlate } from '../../shared/ids/plate.js';
import { parseUscc } from '../../shared/ids/uscc.js';

export const IDENTIFIER_KINDS = ['uscc', 'customs_code', 'entry_id', 'hs', 'imo', 'container_no', 'plate'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export type IdentifierCheck = { ok: true; value: string } | { ok: false; reason: 'format' | 'check_digit'; message: string };

export function checkIdentifier(kind: IdentifierKind, input: unknown): IdentifierCheck {
  const s = typeof input === 'string' ? input.trim() : typeof input === 'number' ? String(input) : '';
  switch (kind) {
    case 'uscc': {
      const p = parseUscc(s);
      return p.ok ? { ok: true, value: p.uscc } : { ok: false, reason: p.reason === 'check_char' ? 'check_digit' : 'format', message: p.message };
    }
    case 'customs_code': {
      const p = parseCustomsCode(s);
      return p.ok ? { ok: true, value: p.code } : { ok: false, reason: 'format', message: p.message };
    }
    case 'entry_id': {
      const p = parseEntryId(s);
      return p.ok ? { ok: true, value: p.entryId } : { ok: false, reason: 'format', message: p.message };
    }
    case 'hs':
      return /^\d{4}(\d{2}){0,3}$/.test(s) ? { ok: true, value: s } : { ok: false, reason: 'format', message: `"${s}" is not an HS code (4, 6, 8 or 10 digits)` };
    case 'imo': {
      const p = parseImo(s);
      return p.ok ? { ok: true, value: p.imo } : { ok: false, reason: p.reason, message: p.message };
    }
    case 'container_no': {
      const u = s.toUpperCase().replace(/\s+/g, '');
      if (!CONTAINER_RE.test(u)) return { ok: false, reason: 'format', message: `"${s}" is not a container number (3 letters, U/J/Z, 7 digits)` };
      return isValidContainerNumber(u) ? { ok: true, value: u } : { ok: false, reason: 'check_digit', message: `container number ${u} fails its ISO 6346 check digit` };
    }
    case 'plate': {
      const u = s.toUpperCase();
      return validatePlate(u).valid ? { ok: true, value: u } : { ok: false, reason: 'format', message: `"${s}" is not a Chinese plate number` };
    }
  }
}
