// The permission table and the legacy route table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { can, LEGACY_ROUTE_PERMISSIONS, legacyPermission, PERMISSIONS, permissionsOf, ROLE_PERMISSIONS, ROLES, roleSetProblem } from '../../../cloud/auth/permissions.js';
import { visibleTo } from '../../../cloud/events/hub.js';
import { userPrincipal } from '../../../cloud/auth/principal.js';

test('every role has auth.self; every permission belongs to some role; no unknown permission', () => {
  for (const r of ROLES) assert.ok(ROLE_PERMISSIONS[r].includes('auth.self'), r);
  const used = new Set(ROLES.flatMap((r) => ROLE_PERMISSIONS[r]));
  assert.deepEqual(PERMISSIONS.filter((p) => !used.has(p)), []);
  for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) assert.ok((PERMISSIONS as readonly string[]).includes(p), `${r}: ${p}`);
});

test('the boundaries the customs office asks for', () => {
  assert.equal(can(['inspector'], 'users.manage'), false, 'an inspector must not manage users');
  assert.equal(can(['enterprise'], 'devices.read'), false);
  assert.equal(can(['enterprise'], 'appointments.decide'), false);
  assert.equal(can(['enterprise'], 'appointments.book'), true);
  assert.equal(can(['sysadmin'], 'audit.read'), false, 'separation of duties: the admin does not read the audit log');
  assert.equal(can(['auditor'], 'audit.read'), true);
  assert.equal(ROLE_PERMISSIONS.auditor.some((p) => /manage|create|assign|work|book|decide|declare|ballast|call|ticket|ack|send/.test(p)), false, 'the auditor changes nothing');
  assert.equal(can(['command'], 'tasks.assign'), true);
  assert.equal(can(['inspector'], 'tasks.work'), true);
  assert.equal(can(['command'], 'tasks.work'), false);
  assert.deepEqual(permissionsOf(['inspector', 'auditor']).filter((p) => p.startsWith('audit')), ['audit.read', 'audit.verify']);
});

test('role sets: enterprise alone and with an enterprise; customs roles not in an enterprise', () => {
  assert.equal(roleSetProblem(['command', 'inspector'], { kind: 'customs' }), null);
  assert.equal(roleSetProblem(['command'], null), null);
  assert.match(roleSetProblem(['enterprise', 'command'], { kind: 'enterprise' })!, /cannot be combined/);
  assert.match(roleSetProblem(['enterprise'], { kind: 'customs' })!, /enterprise organisation/);
  assert.match(roleSetProblem(['enterprise'], null)!, /enterprise organisation/);
  assert.match(roleSetProblem(['inspector'], { kind: 'enterprise' })!, /only have the enterprise role/);
  assert.match(roleSetProblem(['root'], null)!, /unknown role root/);
});

test('legacy admin routes: looked up by method and full path, unknown ones have none', () => {
  assert.equal(legacyPermission('GET', '/api/gateways'), 'devices.read');
  assert.equal(legacyPermission('HEAD', '/api/gateways/quay-1'), 'devices.read');
  assert.equal(legacyPermission('POST', '/api/gateways'), 'gateways.manage');
  assert.equal(legacyPermission('GET', '/api/gateways/quay-1/devices/d-1/history'), 'devices.read');
  assert.equal(legacyPermission('POST', '/api/gateways/quay-1/commands'), 'gateways.manage');
  assert.equal(legacyPermission('GET', '/api/gateways/quay-1/commands'), 'devices.read');
  assert.equal(legacyPermission('DELETE', '/api/gateways/quay-1'), undefined);
  assert.equal(legacyPermission('GET', '/api/gateways/quay-1/secret'), undefined);
  assert.equal(legacyPermission('GET', '/api/gateways/a/b/latest'), undefined, 'a parameter is one segment');
  assert.ok(Object.keys(LEGACY_ROUTE_PERMISSIONS).length >= 10);
});

test('live events: per permission, enterprise users only their own enterprise, notices only their addressee', () => {
  const cmd = userPrincipal({ id: 'u1', username: 'cmd', displayName: 'c', roles: ['command'], orgId: 'c1' }, null);
  const entA = userPrincipal({ id: 'u2', username: 'a', displayName: 'a', roles: ['enterprise'], orgId: 'A' }, null);
  const auditor = userPrincipal({ id: 'u3', username: 'x', displayName: 'x', roles: ['auditor'], orgId: 'c1' }, null);
  assert.equal(visibleTo(cmd, { permission: 'alarms.read', enterpriseId: null }), true);
  assert.equal(visibleTo(entA, { permission: 'alarms.read', enterpriseId: null }), false);
  assert.equal(visibleTo(auditor, { permission: 'alarms.read', enterpriseId: null }), false);
  assert.equal(visibleTo(entA, { permission: 'tasks.read', enterpriseId: 'A' }), true);
  assert.equal(visibleTo(entA, { permission: 'tasks.read', enterpriseId: 'B' }), false);
  assert.equal(visibleTo(entA, { permission: 'tasks.read', enterpriseId: null }), false);
  assert.equal(visibleTo(cmd, { permission: 'tasks.read', enterpriseId: 'B' }), true);
  assert.equal(visibleTo(entA, { permission: 'auth.self', enterpriseId: 'A' }), true);
  assert.equal(visibleTo(cmd, { permission: 'auth.self', enterpriseId: 'A' }), false, 'an enterprise notice is not for customs staff');
  assert.equal(visibleTo(cmd, { permission: 'auth.self', enterpriseId: null, userId: 'u1' }), true);
  assert.equal(visibleTo(auditor, { permission: 'auth.self', enterpriseId: null, userId: 'u1' }), false);
});
