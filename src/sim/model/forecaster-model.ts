import { NODE_METRICS } from '../../dataset/node-metrics.js';
import { Forecaster } from '../../forecast/forecaster.js';
import type { ModelType } from '../../forecast/model.js';
import { forecasterBody } from '../../offload/forecaster-body.js';
import { NODE_TYPE_CODE, type NodeModel, type NodeUsage, toGroupsLoad } from './node-model.js';

/**
 * dfaas's own models (`dfaas forecast train` output) as the simulated node: the same files, and the
 * same prediction, as a live node-margin agent given `forecaster_models`. A target without a model
 * (power, when the dataset had no power column) is left out of the usage, so no threshold applies
 * to it. A ModelFileError names a folder or file that is not `forecast train` output.
 */
export function forecasterModel(dir: string, type: ModelType = 'regression'): NodeModel {
  const forecaster = Forecaster.load(dir);
  return {
    name: dir,
    predict(nodeType, rates) {
      const answer = forecaster.nodeUsage(
        forecasterBody(NODE_TYPE_CODE[nodeType], toGroupsLoad(rates)),
        type,
      );
      const usage: NodeUsage = {};
      for (const metric of NODE_METRICS) {
        const v = answer[metric];
        if (v !== null) usage[metric] = v;
      }
      return usage;
    },
  };
}
