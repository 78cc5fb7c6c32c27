import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { ServiceDefinition } from './service-definition.js';
import { type PortName, REQUIRED_PORTS, SERVICE_DEFINITIONS, ServiceCatalogue } from './service-catalogue.js';

/**
 * Makes the services of this process known to every library, without any of them naming one. The
 * API requires every port; the worker only those its jobs use.
 */
@Global()
@Module({})
export class ServiceCatalogueModule {
  static forRoot(definitions: readonly ServiceDefinition[], required: readonly PortName[]): DynamicModule {
    return {
      module: ServiceCatalogueModule,
      providers: [
        { provide: SERVICE_DEFINITIONS, useValue: definitions },
        { provide: REQUIRED_PORTS, useValue: required },
        ServiceCatalogue,
      ],
      exports: [ServiceCatalogue, SERVICE_DEFINITIONS],
    };
  }
}
