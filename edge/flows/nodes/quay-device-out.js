'use strict';
// quay device out: writes a point (or sends a command, e.g. a queue terminal's "display") through the
// gateway's scheduler and passes on the result.
const { errText, brief, connect } = require('./lib/quay.js');

module.exports = function (RED) {
  function QuayDeviceOut(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const fromMsg = config.fromMsg !== false;
    node.status({});
    node.on('input', (msg, send, done) => {
      const device = (fromMsg && typeof msg.device === 'string' && msg.device) || config.device;
      const point = (fromMsg && typeof msg.point === 'string' && msg.point) || config.point;
      const ids = device ? [device] : bridge.resolve({ kind: config.kind });
      if (!point) {
        node.status({ fill: 'red', shape: 'ring', text: 'no point / 未指定点' });
        done(new Error('no point: set one in the node or as msg.point'));
        return;
      }
      if (!ids.length) {
        node.status({ fill: 'red', shape: 'ring', text: 'no device / 无设备' });
        done(new Error('no device: set one (or a kind with devices) in the node, or msg.device'));
        return;
      }
      const value = msg.payload;
      node.status({ fill: 'blue', shape: 'dot', text: 'writing / 写入 ' + point });
      Promise.allSettled(ids.map((id) => bridge.write(id, point, value))).then((results) => {
        const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
        const failed = results.map((r, i) => (r.status === 'rejected' ? { device: ids[i], error: errText(r.reason) } : null)).filter(Boolean);
        msg.result = ids.length === 1 ? ok[0] || null : ok;
        msg.payload = msg.result;
        if (failed.length) {
          msg.errors = failed;
          node.status({ fill: 'red', shape: 'dot', text: failed[0].device + ': ' + failed[0].error.slice(0, 40) });
          if (ok.length) send(msg);
          done(new Error(failed.map((f) => f.device + ': ' + f.error).join('; ')));
          return;
        }
        const confirmed = ok.every((r) => r.confirmed);
        node.status({ fill: 'green', shape: 'dot', text: ids.join(',').slice(0, 20) + '.' + point + ' ← ' + brief(value) + (confirmed ? ' ✓' : '') });
        send(msg);
        done();
      });
    });
  }
  RED.nodes.registerType('quay device out', QuayDeviceOut);
};
