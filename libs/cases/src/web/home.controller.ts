import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/platform';
import { SERVICES, type Service } from '../reference.js';

/** Services whose application pages exist; the others are listed with a note to contact a post. */
const ONLINE_SERVICES: ReadonlySet<Service> = new Set(['evisa', 'passport', 'legalisation', 'abtc', 'emergency']);

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  @Get()
  @Render('home.njk')
  home(): { services: { name: string; online: boolean }[] } {
    return { services: SERVICES.map((name) => ({ name, online: ONLINE_SERVICES.has(name) })) };
  }
}
