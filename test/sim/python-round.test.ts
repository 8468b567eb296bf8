import { describe, expect, it } from 'vitest';
import { pyRound } from '../../src/sim/python-round.js';

describe('pyRound (Python round(x, digits))', () => {
  it('rounds exact ties to the even digit', () => {
    // 0.03125 = 1/32 is exactly representable: a tie at 4 digits, 2 is even.
    expect(pyRound(0.03125, 4)).toBe(0.0312);
    // 0.09375 = 3/32: a tie, 7 is odd, so up.
    expect(pyRound(0.09375, 4)).toBe(0.0938);
    expect(pyRound(-0.03125, 4)).toBe(-0.0312);
    expect([pyRound(0.5, 0), pyRound(1.5, 0), pyRound(2.5, 0)]).toEqual([0, 2, 2]);
  });

  it('rounds the exact binary value, not the printed one', () => {
    // 2.675 is stored as 2.67499999…, 1.0005 as 1.000499999…: both go down, as in Python.
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(1.0005, 3)).toBe(1);
    // The framework's numbers: 25/303 = 0.08250…, 89/3 = 29.6666…
    expect(pyRound(25 / 303, 4)).toBe(0.0825);
    expect(pyRound(89 / 3, 4)).toBe(29.6667);
  });
});
