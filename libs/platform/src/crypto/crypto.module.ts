import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { BlindIndex } from './blind-index.js';
import { FieldCipher } from './field-cipher.js';
import { SignedTokens } from './signed-token.js';

@Global()
@Module({
  providers: [
    {
      provide: FieldCipher,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new FieldCipher(c.crypto.fieldKeys, c.crypto.activeFieldKeyId),
    },
    { provide: BlindIndex, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new BlindIndex(c.crypto.blindIndexKey) },
    { provide: SignedTokens, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new SignedTokens(c.crypto.linkSigningKey) },
  ],
  exports: [FieldCipher, BlindIndex, SignedTokens],
})
export class CryptoModule {}
