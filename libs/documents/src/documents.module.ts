import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { EvisaPdfRenderer } from './evisa-pdf.js';
import { SealKeyring } from './seal-keyring.js';
import { SealService } from './seal.service.js';
import { SealVerificationMetrics, VerifyController } from './verify.controller.js';

/** Seal signing and verification and the eVisa PDF: what the worker's render job needs. */
@Module({
  providers: [
    { provide: SealKeyring, inject: [APP_CONFIG], useFactory: (config: AppConfig) => SealKeyring.fromConfig(config) },
    SealService,
    EvisaPdfRenderer,
  ],
  exports: [SealKeyring, SealService, EvisaPdfRenderer],
})
export class DocumentsModule {}

/** The public verification API (GET /api/v1/verify/keys, POST /api/v1/verify/seal), for apps/api. */
@Module({
  imports: [DocumentsModule],
  controllers: [VerifyController],
  providers: [SealVerificationMetrics],
})
export class DocumentsApiModule {}
