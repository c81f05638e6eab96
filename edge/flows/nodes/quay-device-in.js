'use strict';
// quay device in: live readings of chosen devices/points, with quality, from the gateway's bus.
const { list, brief, throttledStatus, connect } = require('./lib/quay.js');

module.exports = function (RED) {
  function QuayDeviceIn(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const sel = {
      devices: config.device ? [config.device] : [],
      kind: config.device ? undefined : config.kind || undefined,
      points: list(config.points),
      quality: config.quality === 'any' ? 'any' : 'good',
    };
    const matched = bridge.resolve({ device: config.device, kind: sel.kind });
    if (!matched.length) node.status({ fill: 'yellow', shape: 'ring', text: 'no such device / 无此设备' });
    else node.status({ fill: 'grey', shape: 'ring', text: 'waiting / 等待 · ' + matched.join(', ').slice(0, 40) });
    const status = throttledStatus(node, 1000);
    const off = bridge.onReadings(sel, (readings, batch) => {
      if (config.output === 'batch') {
        const payload = {};
        for (const r of readings) payload[r.point] = r.value;
        node.send({ topic: batch.device, device: batch.device, payload, readings });
      } else {
        for (const r of readings) {
          node.send({ topic: r.device + '/' + r.point, payload: r.value, device: r.device, point: r.point, unit: r.unit, quality: r.quality, reason: r.reason, detail: r.detail, ts: r.ts });
        }
      }
      const last = readings[readings.length - 1];
      const bad = readings.some((r) => r.quality !== 'good');
      status({ fill: bad ? 'yellow' : 'green', shape: 'dot', text: last.device + '.' + last.point + ' = ' + brief(last.value) + (last.unit ? ' ' + last.unit : '') + (bad ? ' (' + last.quality + ')' : '') });
    });
    node.on('close', (done) => {
      off();
      status.cancel();
      done();
    });
  }
  RED.nodes.registerType('quay device in', QuayDeviceIn);
};
