'use strict';
// quay event in: vision detections (plates, container numbers, faces, drafts), alarms and device events.
const { list, brief, throttledStatus, connect } = require('./lib/quay.js');

module.exports = function (RED) {
  function QuayEventIn(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const want = config.events || 'all';
    const kinds = new Set(list(config.visionKinds));
    const cameras = new Set(list(config.cameras));
    const minConfidence = Number(config.minConfidence) || 0;
    const alarmSource = config.alarmSource || 'profile';
    const status = throttledStatus(node, 1000);
    const offs = [];
    node.status({ fill: 'grey', shape: 'ring', text: 'listening / 监听 ' + want });

    if (want === 'all' || want === 'vision') {
      offs.push(
        bridge.onDetection((d) => {
          if (kinds.size && !kinds.has(d.kind)) return;
          if (cameras.size && !cameras.has(d.camera)) return;
          if (d.confidence < minConfidence) return;
          node.send({ topic: 'vision/' + d.kind, payload: d.value, event: 'vision', kind: d.kind, camera: d.camera, confidence: d.confidence, ts: d.ts, detection: d });
          status({ fill: 'green', shape: 'dot', text: d.kind + ' ' + brief(d.value) + ' (' + Math.round(d.confidence * 100) + '%)' });
        }),
      );
    }
    if (want === 'all' || want === 'alarm') {
      offs.push(
        bridge.onAlarm((a) => {
          const fromFlow = a.source.startsWith('flow:');
          if ((alarmSource === 'profile' && fromFlow) || (alarmSource === 'flow' && !fromFlow)) return;
          node.send({ topic: 'alarm/' + a.action, payload: a.message, event: 'alarm', device: a.device, point: a.point, severity: a.severity, ts: a.ts, alarm: a });
          status({ fill: a.action === 'raised' ? 'red' : 'green', shape: 'dot', text: (a.device || '') + ' ' + a.action + ': ' + brief(a.message.en) });
        }),
      );
    }
    if (want === 'all' || want === 'device') {
      offs.push(
        bridge.onDeviceEvent((e) => {
          node.send({ topic: 'device/' + e.device + '/' + e.name, payload: e.fields, event: 'device', device: e.device, name: e.name, ts: e.ts });
          status({ fill: 'green', shape: 'dot', text: e.device + ' ' + e.name });
        }),
      );
    }
    node.on('close', (done) => {
      for (const off of offs) off();
      status.cancel();
      done();
    });
  }
  RED.nodes.registerType('quay event in', QuayEventIn);
};
