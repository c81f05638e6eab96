'use strict';
/**
 * Shared by the quay nodes. Node files stay tiny: the work is in the gateway's typed bridge
 * (edge/flows/bridge.ts), which the runtime hands over as RED.settings.quayside.
 */

/** The gateway bridge; throws outside a Quayside gateway. */
function bridgeOf(RED) {
  let b;
  try {
    b = RED.settings.quayside;
  } catch (e) {
    b = undefined;
  }
  if (!b || b.version !== 1) throw new Error('Quayside bridge missing: the quay nodes run only inside a Quayside gateway');
  return b;
}

/** "CODE: message" for gateway errors, the message otherwise. */
function errText(e) {
  if (e && e.code && typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code + ': ' + e.message;
  return (e && e.message) || String(e);
}

/** "a, b ,c" → ["a","b","c"]. */
function list(s) {
  return String(s || '')
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A value short enough for a status badge. */
function brief(v) {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number') return String(Math.round(v * 1000) / 1000);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 24 ? s.slice(0, 23) + '…' : s;
}

/** The label of the tab a node sits on (for alarm sources), else the fallback. */
function tabLabel(node, fallback) {
  try {
    const f = node._flow && node._flow.flow;
    if (f && f.label) return String(f.label);
  } catch (e) {
    /* internal shape changed: use the fallback */
  }
  return fallback;
}

/** A status setter that updates at most every `ms` (the editor gets each change over its websocket). */
function throttledStatus(node, ms) {
  let last = 0;
  let pending = null;
  let timer = null;
  function set(s) {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      node.status(s);
      return;
    }
    pending = s;
    if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        if (pending) node.status(pending);
        pending = null;
      }, ms - (now - last));
    }
  }
  set.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return set;
}

/** Connects a node to the bridge or marks it broken (red ring) and returns undefined. */
function connect(RED, node) {
  try {
    return bridgeOf(RED);
  } catch (e) {
    node.status({ fill: 'red', shape: 'ring', text: 'no gateway / 无网关' });
    node.error(errText(e));
    return undefined;
  }
}

module.exports = { bridgeOf, errText, list, brief, tabLabel, throttledStatus, connect };
