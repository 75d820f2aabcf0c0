// A small seeded random generator, so every run builds the same pages and
// plays the same scenario.

/** Returns a function giving numbers in [0, 1) from `seed` (mulberry32). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, bound). */
export function randomInt(random, bound) {
  return Math.floor(random() * bound);
}

/** One item of `items`. */
export function pick(random, items) {
  return items[randomInt(random, items.length)];
}
