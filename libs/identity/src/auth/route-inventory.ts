import { Injectable, Logger, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ROUTE_POLICY, type RoutePolicy } from '@app/platform';

export interface DeclaredRoute {
  method: string;
  path: string;
  controller: string;
  handler: string;
  policy: RoutePolicy | undefined;
}

function asList(value: unknown): string[] {
  if (value === undefined) return [''];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function joinPath(base: string, path: string): string {
  const joined = `/${base}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** Every route Nest registered, with the policy the guard will read for it. */
@Injectable()
export class RouteInventory implements OnApplicationBootstrap {
  private readonly logger = new Logger('RouteInventory');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): DeclaredRoute[] {
    const routes: DeclaredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? 'GET';
        const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, [handler, controller]);
        for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const path of asList(paths)) {
            routes.push({ method, path: joinPath(base, path), controller: controller.name, handler: name, policy });
          }
        }
      }
    }
    return routes;
  }

  withoutPolicy(): DeclaredRoute[] {
    return this.routes().filter((route) => !route.policy);
  }

  onApplicationBootstrap(): void {
    for (const route of this.withoutPolicy()) {
      this.logger.error(
        `${route.method} ${route.path} (${route.controller}.${route.handler}) declares no access policy: every request is denied`,
      );
    }
  }
}
