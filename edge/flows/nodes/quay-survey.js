'use strict';
// quay survey: list, read or start draft surveys, or pass on survey updates.
const { errText, connect, tabLabel } = require('./lib/quay.js');

const STAGES = ['initial', 'intermediate', 'final'];

module.exports = function (RED) {
  function QuaySurvey(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const bridge = connect(RED, node);
    if (!bridge) return;
    const action = config.action || 'list';
    if (!bridge.survey.available) node.status({ fill: 'yellow', shape: 'ring', text: 'no survey service / 无水尺计重服务' });
    else node.status({});

    if (action === 'watch') {
      const off = bridge.onSurveyUpdate((u) => {
        node.send({ topic: 'survey/' + u.status, payload: u });
        node.status({ fill: 'green', shape: 'dot', text: u.stage + ' ' + u.status });
      });
      node.on('close', (done) => {
        off();
        done();
      });
      return;
    }

    node.on('input', (msg, send, done) => {
      try {
        if (action === 'list') {
          const limit = Number(msg.limit || config.limit) || 50;
          msg.payload = bridge.survey.list(limit);
          node.status({ fill: 'green', shape: 'dot', text: msg.payload.length + ' surveys / 份' });
        } else if (action === 'get') {
          const id = typeof msg.payload === 'string' ? msg.payload : msg.surveyId;
          if (!id) throw new Error('give the session id as msg.payload (a string) or msg.surveyId');
          msg.payload = bridge.survey.get(id);
          node.status({ fill: 'green', shape: 'dot', text: id });
        } else if (action === 'start') {
          const p = msg.payload && typeof msg.payload === 'object' ? msg.payload : {};
          const imo = String(p.imo || config.imo || '');
          const stage = String(p.stage || config.stage || 'initial');
          if (!/^\d{7}$/.test(imo)) throw new Error('imo: a 7-digit IMO number (msg.payload.imo or the node)');
          if (!STAGES.includes(stage)) throw new Error('stage: initial, intermediate or final');
          const by = 'flow:' + tabLabel(node, node.name || 'quay survey');
          msg.payload = bridge.survey.start({ imo, stage, case_id: p.case_id, note: p.note }, by);
          node.status({ fill: 'green', shape: 'dot', text: 'started / 已开始 ' + stage });
        } else {
          throw new Error('unknown action ' + action);
        }
        send(msg);
        done();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: errText(e).slice(0, 40) });
        done(new Error(errText(e)));
      }
    });
  }
  RED.nodes.registerType('quay survey', QuaySurvey);
};
