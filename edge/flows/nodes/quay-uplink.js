'use strict';
// quay uplink: a custom record (or an alarm) to the cloud through the store-and-forward outbox.
const { errText, connect, tabLabel } = require('./lib/quay.js');

module.exports = function (RED) {
  function QuayUplink(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const mode = config.mode === 'alarm' ? 'alarm' : 'record';
    let sent = 0;
    node.status({});
    node.on('input', (msg, send, done) => {
      try {
        if (mode === 'record') {
          const type = (typeof msg.recordType === 'string' && msg.recordType) || config.recordType;
          const data = msg.payload;
          if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('msg.payload must be an object (the record\'s data)');
          const r = bridge.uplink({ type, data, id: msg.recordId, ts: msg.recordTs });
          msg.payload = r;
          sent++;
          node.status({ fill: 'green', shape: 'dot', text: type + ' #' + sent + ' → ' + r.queue });
        } else {
          const p = msg.payload;
          const a = p && typeof p === 'object' && !Array.isArray(p) ? p : { message: String(p) };
          const r = bridge.alarm({
            device: a.device || msg.device || config.device || null,
            point: a.point || msg.point || null,
            action: a.action === 'cleared' ? 'cleared' : 'raised',
            severity: a.severity || config.severity || 'warning',
            message: a.message || config.message || 'alarm from a flow',
            value: a.value === undefined ? (typeof msg.value === 'number' ? msg.value : null) : a.value,
            flow: tabLabel(node, node.name || 'flow'),
          });
          msg.payload = { eventId: r.eventId, alarm: r.event };
          sent++;
          node.status({ fill: r.event.action === 'raised' ? 'red' : 'green', shape: 'dot', text: r.event.action + ': ' + r.event.message.en.slice(0, 30) });
        }
        send(msg);
        done();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: errText(e).slice(0, 40) });
        done(new Error(errText(e)));
      }
    });
  }
  RED.nodes.registerType('quay uplink', QuayUplink);
};
