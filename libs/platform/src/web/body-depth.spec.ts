import { MAX_BODY_DEPTH, nestedDeeperThan } from './body-depth.js';

const nest = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('nestedDeeperThan', () => {
  it('accepts flat and moderately nested bodies, and primitives', () => {
    for (const body of [undefined, null, 'text', 12, {}, [], { a: 1, b: [1, 2, { c: 3 }] }, nest(MAX_BODY_DEPTH)]) {
      expect(nestedDeeperThan(body, MAX_BODY_DEPTH)).toBe(false);
    }
  });

  it('refuses one level more, and a body nested so deep that recursion would overflow the stack', () => {
    expect(nestedDeeperThan(nest(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
    expect(nestedDeeperThan(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), MAX_BODY_DEPTH)).toBe(true);
  });
});
