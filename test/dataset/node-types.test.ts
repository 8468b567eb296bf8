import { describe, expect, it } from 'vitest';
import { UnknownNodeTypeError } from '../../src/dataset/errors.js';
import { nodeTypeCode } from '../../src/dataset/node-types.js';

describe('node types', () => {
  it('reads node types as the DFaaS agent numbers them, or as a capacity', () => {
    expect([nodeTypeCode('heavy'), nodeTypeCode('MID'), nodeTypeCode('light'), nodeTypeCode('2.5')]).toEqual([
      0, 1, 2, 2.5,
    ]);
    expect(() => nodeTypeCode('huge')).toThrow(UnknownNodeTypeError);
    expect(() => nodeTypeCode('huge')).toThrow(/node type "huge"/);
    expect(() => nodeTypeCode('-1')).toThrow(/node type "-1"/);
  });
});
