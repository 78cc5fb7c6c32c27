import { registerErrorCodes } from '../errors/domain-exception.js';

export const CryptoErrors = registerErrorCodes({ INVALID_LINK: 401, DECRYPTION_FAILED: 500 });
