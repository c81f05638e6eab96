'use strict';
// quay command in: downlink commands from the cloud addressed to "flow:<name>".
const { list, brief, connect } = require('./lib/quay.js');

module.exports = function (RED) {
  function QuayCommandIn(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const flow = String(config.flow || '').trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(flow)) {
      node.status({ fill: 'red', shape: 'ring', text: 'flow name? / 流程名?' });
      node.error('set a flow name: letters, digits, ".", "_", "-" (commands address it as flow:<name>)');
      return;
    }
    node.status({ fill: 'grey', shape: 'ring', text: 'flow:' + flow });
    const off = bridge.onCommand({ flow, ops: list(config.ops) }, node.id, (c) => {
      node.send({ topic: c.op, payload: c.args, command: { id: c.id, op: c.op, flow: c.flow, expiresAt: c.expiresAt } });
      node.status({ fill: 'green', shape: 'dot', text: c.op + ' ' + brief(c.args) });
    });
    node.on('close', (done) => {
      off();
      done();
    });
  }
  RED.nodes.registerType('quay command in', QuayCommandIn);
};
