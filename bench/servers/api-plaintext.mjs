// Benchmark only: the API with personal-data encryption switched off, for the "encryption on vs off"
// benchmark. FieldCipher's methods are replaced in this process before the API is loaded, so the
// production code is unchanged and every other process encrypts as usual; values are stored as
// `plain.<text>`. Its drafts are prepared with the same clear-text cipher (bench/lib/fixtures.mjs).
import { FieldCipher } from '../../dist/libs/platform/src/index.js';

FieldCipher.prototype.encrypt = function encrypt(plaintext) {
  return `plain.${plaintext}`;
};
FieldCipher.prototype.decrypt = function decrypt(stored) {
  return stored.slice('plain.'.length);
};
await import('../../dist/apps/api/src/main.js');
