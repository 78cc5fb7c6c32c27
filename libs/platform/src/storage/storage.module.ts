import { Global, Module } from '@nestjs/common';
import path from 'node:path';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FileService } from './file.service.js';
import { LocalDirectoryStorage } from './local-directory.storage.js';
import { StoragePort } from './storage.port.js';

@Global()
@Module({
  providers: [
    { provide: StoragePort, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new LocalDirectoryStorage(path.resolve(c.storageDir)) },
    FileService,
  ],
  exports: [StoragePort, FileService],
})
export class StorageModule {}
