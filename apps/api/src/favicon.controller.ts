import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, Public } from '@app/platform';

/** One day: browsers ask for /favicon.ico on every page unless told they may keep it. */
const CACHE_CONTROL = 'public, max-age=86400';

/** The site icon at the address browsers ask for by themselves (its source: libs/platform/static/favicon.svg). */
@ApiExcludeController()
@Public()
@Controller()
export class FaviconController {
  private readonly icon = fs.readFileSync(path.join(projectRoot(), 'libs/platform/static/favicon.ico'));

  @Get('favicon.ico')
  favicon(@Res() reply: FastifyReply): void {
    // Set here, after the hooks: a signed-in officer's responses are no-store, but the icon is the same for everyone.
    void reply.header('cache-control', CACHE_CONTROL).type('image/x-icon').send(this.icon);
  }
}
